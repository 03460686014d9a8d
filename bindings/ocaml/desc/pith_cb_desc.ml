(* pith_cb_desc.ml -- the callbacks C makes into OCaml (Cstubs_inverted):
   each is a C function pith_cb_NAME taking the host's number first.  Their
   OCaml implementations look the host up and answer error codes, never
   exceptions (Pith_host.guard).  SPDX-License-Identifier: MIT *)
open Ctypes

let ( >>| ) r f = match r with Ok x -> f x | Error e -> Pith_host.code e

let bytes_of buf n = string_from_ptr (coerce (ptr uint8_t) (ptr char) buf) ~length:n

let fill buf s =
  let p = coerce (ptr uint8_t) (ptr char) buf in
  String.iteri (fun i c -> (p +@ i) <-@ c) s

let console_write id stream buf n =
  Pith_host.guard id (Int64.of_int Pith_host.other |> Signed.Long.of_int64) (fun e ->
      let s = bytes_of buf (Unsigned.Size_t.to_int n) in
      let stream = if stream = 2 then Pith_host.Err else Pith_host.Out in
      Signed.Long.of_int
        (e.host.console_write stream s >>| fun k -> if k < 0 || k > String.length s then Pith_host.other else k))

let console_read id buf n =
  Pith_host.guard id (Signed.Long.of_int Pith_host.other) (fun e ->
      let n = Unsigned.Size_t.to_int n in
      Signed.Long.of_int
        (e.host.console_read n >>| fun s ->
         if s = "" then Pith_host.code Pith_host.End_of_input
         else if String.length s > n then Pith_host.other (* more than asked: an error, not a silent loss *)
         else (fill buf s; String.length s)))

let clock id which =
  Pith_host.guard id 0L (fun e -> if which = 0 then e.host.monotonic_ns () else e.host.wall_ns ())

let storage_of e = match e.Pith_host.host.storage with Some s -> s | None -> raise Not_found

let storage_open id name mode =
  Pith_host.guard id (Int64.of_int Pith_host.other) (fun e ->
      let s = storage_of e in
      let m = if mode land 4 <> 0 then Pith_host.Append else if mode land 2 <> 0 then Pith_host.Write else Pith_host.Read in
      Int64.of_int (s.open_file name m >>| fun h -> if h < 0 then Pith_host.other else h))

let long_of_io r = Signed.Long.of_int r

let storage_read id h buf n =
  Pith_host.guard id (Signed.Long.of_int Pith_host.other) (fun e ->
      let n = Unsigned.Size_t.to_int n in
      long_of_io
        ((storage_of e).read (Int64.to_int h) n >>| fun s ->
         if String.length s > n then Pith_host.other else (fill buf s; String.length s)))

let storage_write id h buf n =
  Pith_host.guard id (Signed.Long.of_int Pith_host.other) (fun e ->
      let s = bytes_of buf (Unsigned.Size_t.to_int n) in
      long_of_io ((storage_of e).write (Int64.to_int h) s >>| fun k -> if k < 0 || k > String.length s then Pith_host.other else k))

let storage_seek id h off =
  Pith_host.guard id Pith_host.other (fun e -> (storage_of e).seek (Int64.to_int h) (Int64.to_int off) >>| fun () -> 0)

let storage_size id h =
  Pith_host.guard id (Int64.of_int Pith_host.other) (fun e ->
      Int64.of_int ((storage_of e).size (Int64.to_int h) >>| fun n -> n))

let storage_close id h = Pith_host.guard id Pith_host.other (fun e -> (storage_of e).close (Int64.to_int h) >>| fun () -> 0)

let storage_remove id name = Pith_host.guard id Pith_host.other (fun e -> (storage_of e).remove name >>| fun () -> 0)

let storage_exists id name =
  Pith_host.guard id Pith_host.other (fun e -> if (storage_of e).exists name then 0 else Pith_host.code Pith_host.No_such_file)

let storage_list id dir i buf cap =
  Pith_host.guard id (Signed.Long.of_int Pith_host.other) (fun e ->
      let i = Signed.Long.to_int i and cap = Unsigned.Size_t.to_int cap in
      Signed.Long.of_int
        ((storage_of e).list dir >>| fun names ->
         match List.nth_opt names i with
         | None -> Pith_host.code Pith_host.No_such_file
         | Some n when String.length n + 1 > cap -> Pith_host.code Pith_host.Invalid_argument
         | Some n ->
             let p = buf in
             String.iteri (fun k c -> (p +@ k) <-@ c) n;
             (p +@ String.length n) <-@ '\000';
             String.length n))

let wait id deadline =
  Pith_host.guard id 0 (fun e ->
      (match e.host.wait with Some w -> w (if deadline < 0L then None else Some deadline) | None -> ());
      0)

let prim id vm k argc argv result =
  Pith_host.guard id 1 (fun e ->
      if k < 0 || k >= Array.length e.prims then 1
      else
        let args = Array.init argc (fun i -> !@(argv +@ i)) in
        let r = ref (!@ result) in
        let st = e.prims.(k) vm args r in
        result <-@ !r;
        st)

module Callbacks (I : Cstubs_inverted.INTERNAL) = struct
  let () =
    I.internal "pith_cb_console_write" (int @-> int @-> ptr uint8_t @-> size_t @-> returning long) console_write;
    I.internal "pith_cb_console_read" (int @-> ptr uint8_t @-> size_t @-> returning long) console_read;
    I.internal "pith_cb_clock" (int @-> int @-> returning int64_t) clock;
    I.internal "pith_cb_storage_open" (int @-> string @-> int @-> returning int64_t) storage_open;
    I.internal "pith_cb_storage_read" (int @-> int64_t @-> ptr uint8_t @-> size_t @-> returning long) storage_read;
    I.internal "pith_cb_storage_write" (int @-> int64_t @-> ptr uint8_t @-> size_t @-> returning long) storage_write;
    I.internal "pith_cb_storage_seek" (int @-> int64_t @-> int64_t @-> returning int) storage_seek;
    I.internal "pith_cb_storage_size" (int @-> int64_t @-> returning int64_t) storage_size;
    I.internal "pith_cb_storage_close" (int @-> int64_t @-> returning int) storage_close;
    I.internal "pith_cb_storage_remove" (int @-> string @-> returning int) storage_remove;
    I.internal "pith_cb_storage_exists" (int @-> string @-> returning int) storage_exists;
    I.internal "pith_cb_storage_list" (int @-> string @-> long @-> ptr char @-> size_t @-> returning long) storage_list;
    I.internal "pith_cb_wait" (int @-> int64_t @-> returning int) wait;
    I.internal "pith_cb_prim" (int @-> ptr void @-> int @-> int @-> ptr uint64_t @-> ptr uint64_t @-> returning int) prim
end
