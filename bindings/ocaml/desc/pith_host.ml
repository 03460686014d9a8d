(* pith_host.ml -- what an OCaml program lends Pith: the host record, and
   the table the C callbacks find it in by number.

   Every callback from C comes through [guard]: an OCaml exception raised
   by a host function becomes the error code PITH_HOST_EOTHER (and is kept
   in [last_exception]), because an exception must never unwind through
   Pith's C frames.  SPDX-License-Identifier: MIT *)

type error =
  | Again      (** not ready now: Pith waits, then tries again *)
  | End_of_input
  | No_such_file
  | Permission_denied
  | Already_exists
  | Io_error
  | No_space
  | Invalid_argument
  | Not_supported
  | No_memory
  | Is_a_directory
  | Connection
  | Too_many_open  (** too many open handles: Pith collects unreachable ports and tries again *)
  | Other

let code = function
  | Again -> -1 | End_of_input -> -2 | No_such_file -> -3 | Permission_denied -> -4
  | Already_exists -> -5 | Io_error -> -6 | No_space -> -7 | Invalid_argument -> -8
  | Not_supported -> -9 | No_memory -> -10 | Is_a_directory -> -11 | Connection -> -12 | Other -> -13
  | Too_many_open -> -14

type 'a io = ('a, error) result

type stream = Out | Err

type open_mode = Read | Write | Append

type storage = {
  open_file : string -> open_mode -> int io;   (** a handle >= 0 *)
  read : int -> int -> string io;              (** handle, at most n bytes; "" at end of file *)
  write : int -> string -> int io;             (** bytes taken *)
  seek : int -> int -> unit io;
  size : int -> int io;
  close : int -> unit io;
  remove : string -> unit io;
  exists : string -> bool;
  list : string -> string list io;             (** names in a directory ("" the default) *)
}

type t = {
  console_write : stream -> string -> int io;  (** bytes taken (at least 1), or Again *)
  console_read : int -> string io;             (** at most n bytes; Error End_of_input at the end *)
  interactive : bool;                          (** the REPL prints prompts *)
  monotonic_ns : unit -> int64;
  wall_ns : unit -> int64;                     (** since 1970 *)
  args : string list;                          (** the program name first *)
  env : (string * string) list;
  storage : storage option;
  wait : (int64 option -> unit) option;
      (** sleep until input may be ready or the monotonic deadline; None: Pith
          returns to OCaml instead (Pith.run answers Waiting) *)
  features : string;                           (** cond-expand features, space-separated *)
}

(** An OCaml primitive: the VM (as the C pointer), the argument handles, and
    where to put the result's handle; returns a pith_status. *)
type prim = unit Ctypes.ptr -> Unsigned.UInt64.t array -> Unsigned.UInt64.t ref -> int

type entry = {
  host : t;
  mutable prims : prim array;
  mutable last_exception : exn option;
  mutable fatal : exn option;         (** Sys.Break, Out_of_memory, Stack_overflow: re-raised after the call *)
  mutable in_callback : int;          (** > 0 while a host function runs: it must not use the VM *)
  mutable interrupt : unit -> unit;   (** stops the VM's run (set by Pith) *)
}

let hosts : (int, entry) Hashtbl.t = Hashtbl.create 8
let next_id = ref 1

let register host =
  let id = !next_id in
  incr next_id;
  Hashtbl.replace hosts id { host; prims = [||]; last_exception = None; fatal = None; in_callback = 0; interrupt = ignore };
  id

let unregister id = Hashtbl.remove hosts id

let find id = Hashtbl.find_opt hosts id

(* Run f on host id's entry; an exception (or a missing host) becomes
   [fallback], the exception kept for the embedder. *)
let guard id fallback f =
  match find id with
  | None -> fallback
  | Some e -> (
      e.in_callback <- e.in_callback + 1;
      match f e with
      | r -> e.in_callback <- e.in_callback - 1; r
      | exception ex ->
          e.in_callback <- e.in_callback - 1;
          e.last_exception <- Some ex;
          (match ex with
           | Sys.Break | Out_of_memory | Stack_overflow ->
               (* not the program's error: stop the run, re-raise after it *)
               if e.fatal = None then e.fatal <- Some ex;
               e.interrupt ()
           | _ -> ());
          fallback)

let other = code Other
