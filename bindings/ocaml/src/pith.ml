(* pith.ml -- Pith, an embeddable image-based Scheme, hosted by OCaml.
   See pith.mli and docs/ocaml.md.  SPDX-License-Identifier: MIT *)
open Ctypes
module Host = Pith_desc.Pith_host
module C = Pith_desc.Pith_c_desc.Bindings (Pith_c_generated)
module Callbacks = Pith_desc.Pith_cb_desc.Callbacks (Pith_cb_generated)

let c_int = Ctypes.int
let c_char = Ctypes.char

type vm = {
  ptr : unit ptr;
  id : int;
  mutable closed : bool;
  mutable depth : int;             (* > 0 inside a call into Pith *)
  mutable pending : Unsigned.UInt64.t list;  (* handles to release *)
}

type value = { vm : vm; h : Unsigned.UInt64.t }

type scheme_error = {
  message : string;            (** the error's message *)
  irritants : string list;     (** each as [write] prints it *)
  location : string option;    (** "file:line:column" *)
  report : string;             (** all of it, with a backtrace, as pith prints it *)
}

type error =
  | Scheme_error of scheme_error
  | Exit of int
  | Misuse of string
  | Bad_image of string
  | No_memory of string

exception Pith_error of error
exception Scheme_raise of string * value list

let error_to_string = function
  | Scheme_error { report; _ } -> report
  | Exit n -> Printf.sprintf "the program exited with status %d" n
  | Misuse m -> "misuse of the Pith API: " ^ m
  | Bad_image m -> "bad image: " ^ m
  | No_memory m -> "no memory: " ^ m

let () =
  Printexc.register_printer (function Pith_error e -> Some ("Pith.Pith_error: " ^ error_to_string e) | _ -> None)

let ok = 0 and st_error = 1 and st_exit = 2 and st_yield = 3 and st_waiting = 4 and st_bad_image = 5 and st_no_memory = 6

(* ---- handles ---- *)

let drain vm =
  if vm.depth = 0 && not vm.closed then begin
    let p = vm.pending in
    vm.pending <- [];
    List.iter (fun h -> C.release vm.ptr h) p
  end

let live vm = if vm.closed then raise (Pith_error (Misuse "the VM is closed"))

(* A value for persistent handle h, released when OCaml collects it. *)
let wrap vm h =
  let v = { vm; h } in
  Gc.finalise (fun v -> if not v.vm.closed then v.vm.pending <- v.h :: v.vm.pending) v;
  v

(* Run f (which makes a scoped handle) inside a scope; the result is made
   persistent, the scope ended. *)
let scoped vm f =
  live vm;
  drain vm;
  let s = C.scope_begin vm.ptr in
  let h = f () in
  let p = if Unsigned.UInt64.(equal h zero) then h else C.persist vm.ptr h in
  C.scope_end vm.ptr s;
  if Unsigned.UInt64.(equal p zero) then raise (Pith_error (No_memory "the VM could not make a value"));
  wrap vm p

let check_vm v vm = if v.vm != vm then raise (Pith_error (Misuse "a value of another VM"))

(* ---- errors ---- *)

let written vm h =
  let out = allocate (ptr c_char) (from_voidp c_char Ctypes.null) and len = allocate size_t Unsigned.Size_t.zero in
  if C.ml_write_to_utf8 vm.ptr h out len <> 0 then "#<?>"
  else begin
    let s = string_from_ptr !@out ~length:(Unsigned.Size_t.to_int !@len) in
    C.ml_free !@out;
    s
  end

let scheme_error vm =
  let message = Option.value ~default:"" (C.error_message vm.ptr) in
  let location = C.error_location vm.ptr in
  let report = Option.value ~default:message (C.error_report vm.ptr) in
  let s = C.scope_begin vm.ptr in
  let irr = C.error_irritants vm.ptr in
  let rec items h acc =
    if C.type_of vm.ptr h = 8 then items (C.cdr vm.ptr h) (written vm (C.car vm.ptr h) :: acc) else List.rev acc
  in
  let irritants = if Unsigned.UInt64.(equal irr zero) then [] else items irr [] in
  C.scope_end vm.ptr s;
  Scheme_error { message; irritants; location; report }

let status_error vm st =
  if st = st_error then scheme_error vm
  else if st = st_exit then Exit (C.exit_status vm.ptr)
  else if st = st_no_memory then No_memory "the VM ran out of memory"
  else Misuse (Printf.sprintf "status %d (the VM is busy, closed, or an argument is bad)" st)

(* Call into Pith: f gets a result cell; PITH_OK makes the value. *)
let run_call vm f =
  live vm;
  drain vm;
  let s = C.scope_begin vm.ptr in
  let cell = allocate uint64_t Unsigned.UInt64.zero in
  vm.depth <- vm.depth + 1;
  let st = Fun.protect ~finally:(fun () -> vm.depth <- vm.depth - 1) (fun () -> f cell) in
  let r =
    if st = ok then
      let h = !@cell in
      let p = if Unsigned.UInt64.(equal h zero) then C.persist vm.ptr (C.void_ vm.ptr) else C.persist vm.ptr h in
      Ok (wrap vm p)
    else Error (status_error vm st)
  in
  C.scope_end vm.ptr s;
  r

let get = function Ok v -> v | Error e -> raise (Pith_error e)

(* ---- opening ---- *)

let nul_joined l = String.concat "" (List.map (fun s -> s ^ "\000") l)

let host_strings (host : Host.t) =
  let args = if host.args = [] then [ "ocaml" ] else host.args in
  let env = List.map (fun (k, v) -> k ^ "=" ^ v) host.env in
  (nul_joined args, List.length args, nul_joined env, List.length env)

let char_buf s = let b = CArray.of_string s in CArray.start b, b

let finish_open id ptr status err =
  if is_null ptr then begin
    Host.unregister id;
    let msg = string_from_ptr (CArray.start err) ~length:(let n = ref 0 in while CArray.get err !n <> '\000' do incr n done; !n) in
    Error (if !@status = st_bad_image then Bad_image msg else if !@status = st_no_memory then No_memory msg else Misuse msg)
  end
  else Ok { ptr; id; closed = false; depth = 0; pending = [] }

let open_vm ?image ?(heap_limit = 0) ?(gc_stress = false) (host : Host.t) =
  let id = Host.register host in
  let args, nargs, env, nenv = host_strings host in
  let pa, _ka = char_buf args and pe, _ke = char_buf env in
  let status = allocate c_int 0 and err = CArray.make c_char ~initial:'\000' 512 in
  let img, img_len, _keep =
    match image with
    | None -> (from_voidp c_char Ctypes.null, 0, None)
    | Some s -> let p, b = char_buf s in (p, String.length s, Some b)
  in
  let ptr =
    C.ml_open (Intptr.of_int id) pa nargs pe nenv host.features
      (if host.storage = None then 0 else 1)
      (if host.wait = None then 0 else 1)
      (if host.interactive then 1 else 0)
      img (Unsigned.Size_t.of_int img_len) (Unsigned.Size_t.of_int heap_limit)
      (if gc_stress then 1 else 0) status (CArray.start err) (Unsigned.Size_t.of_int 512)
  in
  finish_open id ptr status err

let load_image (host : Host.t) path =
  let id = Host.register host in
  let args, nargs, env, nenv = host_strings host in
  let pa, _ka = char_buf args and pe, _ke = char_buf env in
  let status = allocate c_int 0 and err = CArray.make c_char ~initial:'\000' 512 in
  let ptr =
    C.ml_load_image (Intptr.of_int id) pa nargs pe nenv host.features
      (if host.storage = None then 0 else 1)
      (if host.wait = None then 0 else 1)
      (if host.interactive then 1 else 0)
      path status (CArray.start err) (Unsigned.Size_t.of_int 512)
  in
  finish_open id ptr status err

let close vm =
  if not vm.closed then begin
    if vm.depth > 0 then raise (Pith_error (Misuse "close from inside a call into the VM"));
    vm.closed <- true;
    vm.pending <- [];
    C.ml_close vm.ptr;
    Host.unregister vm.id
  end

let last_host_exception vm =
  match Host.find vm.id with Some e -> let x = e.last_exception in e.last_exception <- None; x | None -> None

(* ---- running ---- *)

let eval ?(name = "<ocaml>") vm src = run_call vm (fun cell -> C.ml_eval vm.ptr src name cell)
let eval_exn ?name vm src = get (eval ?name vm src)

let arg_array vm args =
  List.iter (fun a -> check_vm a vm) args;
  CArray.of_list uint64_t (List.map (fun a -> a.h) args)

let call vm f args =
  check_vm f vm;
  let a = arg_array vm args in
  run_call vm (fun cell -> C.ml_call vm.ptr f.h (CArray.length a) (CArray.start a) cell)
let call_exn vm f args = get (call vm f args)

let lookup vm name = run_call vm (fun cell -> C.ml_lookup vm.ptr name cell)
let define vm name v =
  check_vm v vm;
  live vm;
  let st = C.define vm.ptr name v.h in
  if st = ok then Ok () else Error (status_error vm st)
let load vm path = run_call vm (fun cell -> C.ml_load vm.ptr path cell)
let resume vm = run_call vm (fun cell -> C.ml_resume vm.ptr cell)
let repl vm =
  live vm;
  drain vm;
  vm.depth <- vm.depth + 1;
  let st = Fun.protect ~finally:(fun () -> vm.depth <- vm.depth - 1) (fun () -> C.repl vm.ptr) in
  if st = ok then Ok () else Error (status_error vm st)
let save_image vm path =
  live vm;
  let st = C.save_image vm.ptr path in
  if st = ok then Ok () else Error (status_error vm st)
let add_library_path ?(at_end = false) vm dir =
  live vm;
  let st = C.add_library_path vm.ptr dir (if at_end then 1 else 0) in
  if st = ok then Ok () else Error (status_error vm st)

(* ---- slices ---- *)

type step = Done of value | Yield | Waiting

let begin_eval ?(name = "<ocaml>") vm src =
  live vm;
  let st = C.begin_eval vm.ptr src name in
  if st = ok then Ok () else Error (status_error vm st)

let begin_call vm f args =
  check_vm f vm;
  live vm;
  let a = arg_array vm args in
  let st = C.begin_call vm.ptr f.h (CArray.length a) (CArray.start a) in
  if st = ok then Ok () else Error (status_error vm st)

let run ?(budget = 100_000) vm =
  let yielded = ref None in
  let r =
    run_call vm (fun cell ->
        let st = C.ml_run vm.ptr (Int64.of_int budget) cell in
        if st = st_yield || st = st_waiting then begin yielded := Some st; ok end else st)
  in
  match (!yielded, r) with
  | Some st, _ -> Ok (if st = st_yield then Yield else Waiting)
  | None, Ok v -> Ok (Done v)
  | None, Error e -> Error e

(* ---- limits ---- *)

let set_fuel vm n = live vm; C.set_fuel vm.ptr (Int64.of_int n)
let set_heap_limit vm n = live vm; C.set_heap_limit vm.ptr (Unsigned.Size_t.of_int n)
let interrupt vm = if not vm.closed then C.interrupt vm.ptr

(* ---- making values ---- *)

let int vm n = scoped vm (fun () -> C.of_int vm.ptr (Int64.of_int n))
let int64 vm n = scoped vm (fun () -> C.of_int vm.ptr n)
let float vm x = scoped vm (fun () -> C.of_float vm.ptr x)
let bool vm b = scoped vm (fun () -> C.of_bool vm.ptr (if b then 1 else 0))
let char vm c = scoped vm (fun () -> C.of_char vm.ptr (Unsigned.UInt32.of_int c))
let string vm s =
  scoped vm (fun () -> let p, _b = char_buf s in C.ml_string vm.ptr p (Unsigned.Size_t.of_int (String.length s)))
let symbol vm s = scoped vm (fun () -> C.symbol vm.ptr s)
let null vm = scoped vm (fun () -> C.null vm.ptr)
let void vm = scoped vm (fun () -> C.void_ vm.ptr)
let cons vm a d = check_vm a vm; check_vm d vm; scoped vm (fun () -> C.cons vm.ptr a.h d.h)
let list vm l = List.fold_right (fun x acc -> cons vm x acc) l (null vm)
let vector vm a =
  Array.iter (fun x -> check_vm x vm) a;
  let c = CArray.of_list uint64_t (Array.to_list (Array.map (fun x -> x.h) a)) in
  scoped vm (fun () -> C.vector vm.ptr (Unsigned.Size_t.of_int (CArray.length c)) (CArray.start c))

(* ---- inspecting values ---- *)

type kind =
  | K_other | K_int | K_float | K_bool | K_char | K_string | K_symbol | K_null | K_pair | K_vector
  | K_procedure | K_bytevector | K_void | K_eof | K_number

let kinds = [| K_other; K_int; K_float; K_bool; K_char; K_string; K_symbol; K_null; K_pair; K_vector;
               K_procedure; K_bytevector; K_void; K_eof; K_number |]

let kind v = live v.vm; let k = C.type_of v.vm.ptr v.h in if k >= 0 && k < Array.length kinds then kinds.(k) else K_other

let conv name f v =
  live v.vm;
  let okp = allocate c_int 1 in
  let r = f v.vm.ptr v.h okp in
  if !@okp = 0 then invalid_arg ("Pith." ^ name ^ ": " ^ written v.vm v.h) else r

let to_int v = Int64.to_int (conv "to_int" C.to_int v)
let to_int64 v = conv "to_int64" C.to_int v
let to_float v = conv "to_float" C.to_float v
let to_char v = Unsigned.UInt32.to_int (conv "to_char" C.to_char v)
let is_true v = live v.vm; C.is_true v.vm.ptr v.h <> 0
let to_string v =
  live v.vm;
  let out = allocate (ptr c_char) (from_voidp c_char Ctypes.null) and len = allocate size_t Unsigned.Size_t.zero in
  if C.ml_to_utf8 v.vm.ptr v.h out len <> 0 then invalid_arg ("Pith.to_string: " ^ written v.vm v.h);
  let s = string_from_ptr !@out ~length:(Unsigned.Size_t.to_int !@len) in
  C.ml_free !@out;
  s
let write_string v = live v.vm; written v.vm v.h
let car v = if kind v <> K_pair then invalid_arg "Pith.car" else scoped v.vm (fun () -> C.car v.vm.ptr v.h)
let cdr v = if kind v <> K_pair then invalid_arg "Pith.cdr" else scoped v.vm (fun () -> C.cdr v.vm.ptr v.h)
let to_list v =
  live v.vm;
  if Signed.Long.to_int (C.list_length v.vm.ptr v.h) < 0 then invalid_arg ("Pith.to_list: " ^ written v.vm v.h);
  let rec go x acc = if kind x = K_pair then go (cdr x) (car x :: acc) else List.rev acc in
  go v []
let to_array v =
  live v.vm;
  let n = Signed.Long.to_int (C.vector_length v.vm.ptr v.h) in
  if n < 0 then invalid_arg ("Pith.to_array: " ^ written v.vm v.h);
  Array.init n (fun i -> scoped v.vm (fun () -> C.vector_ref v.vm.ptr v.h (Unsigned.Size_t.of_int i)))
let eq a b = check_vm b a.vm; live a.vm; C.eq a.vm.ptr a.h b.h <> 0

(** Scheme data as an OCaml variant. *)
type t =
  | Int of int
  | Float of float
  | Bool of bool
  | Char of int
  | String of string
  | Symbol of string
  | List of t list      (** a proper list; [List []] is the empty list *)
  | Vector of t array
  | Void
  | Other of string     (** anything else, as [write] prints it *)

let rec to_ocaml v =
  match kind v with
  | K_int -> (try Int (to_int v) with Invalid_argument _ -> Other (write_string v))
  | K_float -> Float (to_float v)
  | K_bool -> Bool (is_true v)
  | K_char -> Char (to_char v)
  | K_string -> String (to_string v)
  | K_symbol -> Symbol (to_string v)
  | K_null -> List []
  | K_pair when Signed.Long.to_int (C.list_length v.vm.ptr v.h) >= 0 -> List (List.map to_ocaml (to_list v))
  | K_vector -> Vector (Array.map to_ocaml (to_array v))
  | K_void -> Void
  | _ -> Other (write_string v)

let rec of_ocaml vm = function
  | Int n -> int vm n
  | Float x -> float vm x
  | Bool b -> bool vm b
  | Char c -> char vm c
  | String s -> string vm s
  | Symbol s -> symbol vm s
  | List l -> list vm (List.map (of_ocaml vm) l)
  | Vector a -> vector vm (Array.map (of_ocaml vm) a)
  | Void -> void vm
  | Other s -> invalid_arg ("Pith.of_ocaml: Other " ^ s)

(* ---- primitives in OCaml ---- *)

let define_primitive vm name ?(min_args = 0) ?(max_args = -1) (f : value list -> value) =
  live vm;
  match Host.find vm.id with
  | None -> Error (Misuse "the VM's host is gone")
  | Some e ->
      let k = Array.length e.prims in
      let prim _vmptr (args : Unsigned.UInt64.t array) (result : Unsigned.UInt64.t ref) =
        (* arguments are handles valid during the call: keep our own *)
        let vals = Array.to_list (Array.map (fun h -> wrap vm (C.persist vm.ptr h)) args) in
        let raise_scheme msg irritants =
          let a = CArray.of_list uint64_t (List.map (fun v -> v.h) irritants) in
          C.raise_ vm.ptr msg (CArray.length a) (CArray.start a)
        in
        match f vals with
        | v ->
            if v.vm != vm then raise_scheme "an OCaml primitive returned a value of another VM" []
            else begin
              (* v's handle stays valid until OCaml collects v and a later
                 call into Pith releases it: Pith reads it first *)
              result := v.h;
              ok
            end
        | exception Scheme_raise (msg, irritants) -> raise_scheme msg irritants
        | exception Pith_error err -> raise_scheme (error_to_string err) []
        | exception ex -> raise_scheme ("OCaml exception in " ^ name ^ ": " ^ Printexc.to_string ex) []
      in
      e.prims <- Array.append e.prims [| prim |];
      let st = C.ml_define_primitive vm.ptr name (Intptr.of_int k) min_args max_args in
      if st = ok then Ok () else Error (status_error vm st)
