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
  entry : Host.entry;
  mutable closed : bool;
  mutable depth : int;             (* > 0 while a call into C runs *)
  mutable prims_active : int;      (* OCaml primitives running now *)
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

(* ---- guards ---- *)

let misuse m = raise (Pith_error (Misuse m))

(* The VM may be used: open, and not from inside a host function (which
   runs while the VM is in the middle of something, a collection perhaps);
   an OCaml primitive may make and look at values. *)
let live vm =
  if vm.closed then misuse "the VM is closed";
  if vm.entry.Host.in_callback > vm.prims_active then misuse "a host function must not use the VM"

(* Code may run: nothing else is running. *)
let idle vm =
  live vm;
  if vm.depth > 0 then misuse "the VM is busy (a call into it is running)"

(* Mark the VM busy around a C call that may collect or call the host. *)
let busy vm f =
  vm.depth <- vm.depth + 1;
  Fun.protect ~finally:(fun () -> vm.depth <- vm.depth - 1) f

(* A C string for the whole of a call: the buffer stays reachable until f
   returns (a ctypes [string] argument's buffer could be collected by OCaml
   during a callback the call makes).  A NUL would cut it short: refused. *)
let with_cstr s f =
  if String.contains s '\000' then invalid_arg "Pith: a string holding a NUL character";
  let a = CArray.of_string s in
  let r = f (CArray.start a) in
  ignore (Sys.opaque_identity a);
  r

let with_cstr2 a b f = with_cstr a (fun pa -> with_cstr b (fun pb -> f pa pb))

(* After a call into C: a fatal exception a host function raised (Sys.Break,
   Out_of_memory, Stack_overflow) is re-raised to the caller. *)
let reraise_fatal vm =
  match vm.entry.Host.fatal with
  | Some ex -> vm.entry.Host.fatal <- None; raise ex
  | None -> ()

(* ---- handles ---- *)

(* Release the handles of values OCaml collected: between calls, or when a
   primitive starts (none of them is a value the VM still reads). *)
let drain vm =
  if not vm.closed then begin
    let p = vm.pending in
    vm.pending <- [];
    List.iter (fun h -> C.release vm.ptr h) p
  end

(* A value for persistent handle h, released when OCaml collects it. *)
let wrap vm h =
  let v = { vm; h } in
  Gc.finalise (fun v -> if not v.vm.closed then v.vm.pending <- v.h :: v.vm.pending) v;
  v

(* Run f (which makes a scoped handle) inside a scope; the result is made
   persistent, the scope ended. *)
let scoped vm f =
  live vm;
  if vm.depth = 0 then drain vm;
  let s = C.scope_begin vm.ptr in
  let h = busy vm f in
  let p = if Unsigned.UInt64.(equal h zero) then h else C.persist vm.ptr h in
  C.scope_end vm.ptr s;
  if Unsigned.UInt64.(equal p zero) then raise (Pith_error (No_memory "the VM could not make a value"));
  wrap vm p

let check_vm v vm = if v.vm != vm then misuse "a value of another VM"

let keep v =
  live v.vm;
  let p = C.persist v.vm.ptr v.h in
  if Unsigned.UInt64.(equal p zero) then invalid_arg "Pith.keep: a value no longer valid";
  wrap v.vm p

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
  idle vm;
  drain vm;
  let s = C.scope_begin vm.ptr in
  let cell = allocate uint64_t Unsigned.UInt64.zero in
  let st = busy vm (fun () -> f cell) in
  let r =
    if st = ok then
      let h = !@cell in
      let p = if Unsigned.UInt64.(equal h zero) then C.persist vm.ptr (C.void_ vm.ptr) else C.persist vm.ptr h in
      Ok (wrap vm p)
    else Error (status_error vm st)
  in
  C.scope_end vm.ptr s;
  reraise_fatal vm;
  r

(* Call into Pith for a status only. *)
let status_call vm f =
  idle vm;
  let st = busy vm f in
  reraise_fatal vm;
  if st = ok then Ok () else Error (status_error vm st)

let get = function Ok v -> v | Error e -> raise (Pith_error e)

(* ---- opening ---- *)

let nul_joined l = String.concat "" (List.map (fun s -> s ^ "\000") l)

let host_strings (host : Host.t) =
  List.iter (fun a -> if String.contains a '\000' then invalid_arg "Pith: an argument holding a NUL") host.args;
  List.iter
    (fun (k, v) ->
      if String.contains k '\000' || String.contains v '\000' || String.contains k '=' then
        invalid_arg "Pith: an environment entry holding a NUL, or a = in its name")
    host.env;
  let args = if host.args = [] then [ "ocaml" ] else host.args in
  let env = List.map (fun (k, v) -> k ^ "=" ^ v) host.env in
  (CArray.of_string (nul_joined args), List.length args, CArray.of_string (nul_joined env), List.length env)

let finish_open id ptr status err =
  if is_null ptr then begin
    Host.unregister id;
    let msg = string_from_ptr (CArray.start err) ~length:(let n = ref 0 in while CArray.get err !n <> '\000' do incr n done; !n) in
    Error (if !@status = st_bad_image then Bad_image msg else if !@status = st_no_memory then No_memory msg else Misuse msg)
  end
  else
    match Host.find id with
    | None -> Error (Misuse "the host vanished")
    | Some entry ->
        entry.Host.interrupt <- (fun () -> C.interrupt ptr);
        Ok { ptr; id; entry; closed = false; depth = 0; prims_active = 0; pending = [] }

let flags (host : Host.t) =
  ((if host.storage = None then 0 else 1), (if host.wait = None then 0 else 1), if host.interactive then 1 else 0)

let open_vm ?image ?(heap_limit = 0) ?(gc_stress = false) (host : Host.t) =
  let args, nargs, env, nenv = host_strings host in
  let status = allocate c_int 0 and err = CArray.make c_char ~initial:'\000' 512 in
  let keep = match image with None -> None | Some s -> Some (CArray.of_string s) in
  let img, img_len =
    match keep with None -> (from_voidp c_char Ctypes.null, 0) | Some b -> (CArray.start b, CArray.length b - 1)
  in
  let storage, wait, interactive = flags host in
  let id = Host.register host in
  let ptr =
    with_cstr host.features (fun features ->
        C.ml_open (Intptr.of_int id) (CArray.start args) nargs (CArray.start env) nenv features storage wait interactive
          img (Unsigned.Size_t.of_int img_len) (Unsigned.Size_t.of_int heap_limit)
          (if gc_stress then 1 else 0) status (CArray.start err) (Unsigned.Size_t.of_int 512))
  in
  ignore (Sys.opaque_identity (args, env, keep));
  finish_open id ptr status err

let load_image (host : Host.t) path =
  let args, nargs, env, nenv = host_strings host in
  let status = allocate c_int 0 and err = CArray.make c_char ~initial:'\000' 512 in
  let storage, wait, interactive = flags host in
  let id = Host.register host in
  let ptr =
    with_cstr2 host.features path (fun features path ->
        C.ml_load_image (Intptr.of_int id) (CArray.start args) nargs (CArray.start env) nenv features storage wait
          interactive path status (CArray.start err) (Unsigned.Size_t.of_int 512))
  in
  ignore (Sys.opaque_identity (args, env));
  finish_open id ptr status err

let close vm =
  if not vm.closed then begin
    if vm.depth > 0 || vm.entry.Host.in_callback > 0 then misuse "close from inside a call into the VM";
    vm.closed <- true;
    vm.pending <- [];
    C.ml_close vm.ptr;
    Host.unregister vm.id
  end

let last_host_exception vm =
  let e = vm.entry in
  let x = e.Host.last_exception in
  e.Host.last_exception <- None;
  x

(* ---- running ---- *)

let eval ?(name = "<ocaml>") vm src =
  with_cstr2 src name (fun src name -> run_call vm (fun cell -> C.ml_eval vm.ptr src name cell))
let eval_exn ?name vm src = get (eval ?name vm src)

let arg_array vm args =
  List.iter (fun a -> check_vm a vm) args;
  CArray.of_list uint64_t (List.map (fun a -> a.h) args)

let call vm f args =
  check_vm f vm;
  let a = arg_array vm args in
  let r = run_call vm (fun cell -> C.ml_call vm.ptr f.h (CArray.length a) (CArray.start a) cell) in
  ignore (Sys.opaque_identity (a, args, f));
  r
let call_exn vm f args = get (call vm f args)

let lookup vm name = with_cstr name (fun name -> run_call vm (fun cell -> C.ml_lookup vm.ptr name cell))
let define vm name v =
  check_vm v vm;
  let r = with_cstr name (fun name -> status_call vm (fun () -> C.define vm.ptr name v.h)) in
  ignore (Sys.opaque_identity v);
  r
let load vm path = with_cstr path (fun path -> run_call vm (fun cell -> C.ml_load vm.ptr path cell))
let resume vm = run_call vm (fun cell -> C.ml_resume vm.ptr cell)
let repl vm = idle vm; drain vm; status_call vm (fun () -> C.repl vm.ptr)
let save_image vm path = with_cstr path (fun path -> status_call vm (fun () -> C.save_image vm.ptr path))
let add_library_path ?(at_end = false) vm dir =
  with_cstr dir (fun dir -> status_call vm (fun () -> C.add_library_path vm.ptr dir (if at_end then 1 else 0)))

(* ---- slices ---- *)

type step = Done of value | Yield | Waiting

let begin_eval ?(name = "<ocaml>") vm src =
  with_cstr2 src name (fun src name -> status_call vm (fun () -> C.begin_eval vm.ptr src name))

let begin_call vm f args =
  check_vm f vm;
  let a = arg_array vm args in
  let r = status_call vm (fun () -> C.begin_call vm.ptr f.h (CArray.length a) (CArray.start a)) in
  ignore (Sys.opaque_identity (a, args, f));
  r

let run ?(budget = 100_000) vm =
  idle vm;
  drain vm;
  let s = C.scope_begin vm.ptr in
  let cell = allocate uint64_t Unsigned.UInt64.zero in
  let st = busy vm (fun () -> C.ml_run vm.ptr (Int64.of_int budget) cell) in
  let r =
    if st = st_yield then Ok Yield
    else if st = st_waiting then Ok Waiting
    else if st = ok then begin
      let h = !@cell in
      Ok (Done (wrap vm (C.persist vm.ptr (if Unsigned.UInt64.(equal h zero) then C.void_ vm.ptr else h))))
    end
    else Error (status_error vm st)
  in
  C.scope_end vm.ptr s;
  reraise_fatal vm;
  r

(* ---- limits ---- *)

let set_fuel vm n = live vm; C.set_fuel vm.ptr (Int64.of_int n)
let set_heap_limit vm n = live vm; C.set_heap_limit vm.ptr (Unsigned.Size_t.of_int n)
let interrupt vm = if not vm.closed then C.interrupt vm.ptr

(* ---- making values ---- *)

let int vm n = scoped vm (fun () -> C.of_int vm.ptr (Int64.of_int n))
let int64 vm n = scoped vm (fun () -> C.of_int vm.ptr n)
let float vm x = scoped vm (fun () -> C.of_float vm.ptr x)
let bool vm b = scoped vm (fun () -> C.of_bool vm.ptr (if b then 1 else 0))
let char vm c =
  if c < 0 || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF) then invalid_arg "Pith.char: not a Unicode scalar value";
  scoped vm (fun () -> C.of_char vm.ptr (Unsigned.UInt32.of_int c))
let string vm s =
  let b = CArray.of_string s in
  let v = scoped vm (fun () -> C.ml_string vm.ptr (CArray.start b) (Unsigned.Size_t.of_int (String.length s))) in
  ignore (Sys.opaque_identity b);
  v
let symbol vm s = with_cstr s (fun p -> scoped vm (fun () -> C.symbol vm.ptr p))
let null vm = scoped vm (fun () -> C.null vm.ptr)
let void vm = scoped vm (fun () -> C.void_ vm.ptr)
let cons vm a d =
  check_vm a vm;
  check_vm d vm;
  let v = scoped vm (fun () -> C.cons vm.ptr a.h d.h) in
  ignore (Sys.opaque_identity (a, d));
  v
let list vm l = List.fold_right (fun x acc -> cons vm x acc) l (null vm)
let vector vm a =
  Array.iter (fun x -> check_vm x vm) a;
  let c = CArray.of_list uint64_t (Array.to_list (Array.map (fun x -> x.h) a)) in
  let v = scoped vm (fun () -> C.vector vm.ptr (Unsigned.Size_t.of_int (CArray.length c)) (CArray.start c)) in
  ignore (Sys.opaque_identity (c, a));
  v

(* ---- looking at values ---- *)

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

let to_int v =
  let n = conv "to_int" C.to_int v in
  if Int64.compare n (Int64.of_int max_int) > 0 || Int64.compare n (Int64.of_int min_int) < 0 then
    invalid_arg ("Pith.to_int: out of OCaml's int range: " ^ Int64.to_string n);
  Int64.to_int n
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
  idle vm;
  let e = vm.entry in
  let k = Array.length e.Host.prims in
  let prim _vmptr (args : Unsigned.UInt64.t array) (result : Unsigned.UInt64.t ref) =
    vm.prims_active <- vm.prims_active + 1;
    Fun.protect ~finally:(fun () -> vm.prims_active <- vm.prims_active - 1) @@ fun () ->
    drain vm;
    (* the arguments are the VM's handles, valid during the call (Pith.keep
       makes one that lasts) *)
    let vals = Array.to_list (Array.map (fun h -> { vm; h }) args) in
    let raise_scheme msg irritants =
      let msg = String.map (fun c -> if c = '\000' then ' ' else c) msg in
      let a = CArray.of_list uint64_t (List.map (fun v -> v.h) irritants) in
      let st = with_cstr msg (fun m -> C.raise_ vm.ptr m (CArray.length a) (CArray.start a)) in
      ignore (Sys.opaque_identity (a, irritants));
      st
    in
    match f vals with
    | v ->
        if v.vm != vm then raise_scheme "an OCaml primitive returned a value of another VM" []
        else begin
          (* v's handle stays valid until OCaml collects v and a later call
             into Pith releases it: Pith reads it first *)
          result := v.h;
          ok
        end
    | exception Scheme_raise (msg, irritants) -> raise_scheme msg irritants
    | exception Pith_error err -> raise_scheme (error_to_string err) []
    | exception ((Sys.Break | Out_of_memory | Stack_overflow) as ex) -> raise ex (* the guard stops the run *)
    | exception ex -> raise_scheme ("OCaml exception in " ^ name ^ ": " ^ Printexc.to_string ex) []
  in
  e.Host.prims <- Array.append e.Host.prims [| prim |];
  with_cstr name (fun n -> status_call vm (fun () -> C.ml_define_primitive vm.ptr n (Intptr.of_int k) min_args max_args))
