(** Pith, an embeddable image-based Scheme (R7RS), hosted by OCaml.

    The OCaml program is Pith's host: it lends the console, the clocks, the
    storage and a way to wait, as the OCaml functions of a {!Host.t} record,
    and Pith calls nothing else.  The bindings are ctypes stubs generated at
    build time (Cstubs for calls into C, Cstubs_inverted for the host's
    callbacks), linked with [libpith.a]: no libffi, no dynamic loading, so
    the package fits a MirageOS unikernel (docs/ocaml.md).

    Scheme values are {!value}s: handles that keep the value alive in the
    VM until OCaml's collector drops them.  Errors from Scheme come back as
    [Error] results (or the {!Pith_error} exception from the [_exn]
    functions), never as a crash; an exception raised by a host function or
    an OCaml primitive never unwinds through Pith's C code: it becomes an
    error code, then a Scheme error. *)

(** The host record and its types (see {!Pith_desc.Pith_host}). *)
module Host = Pith_desc.Pith_host

type vm
(** A Pith virtual machine.  Many may be open at once. *)

type value
(** A Scheme value of one VM. *)

type scheme_error = {
  message : string;          (** the error's message *)
  irritants : string list;   (** each as [write] prints it *)
  location : string option;  (** ["file:line:column"] when known *)
  report : string;           (** everything, with a backtrace, as the [pith] command prints it *)
}

type error =
  | Scheme_error of scheme_error  (** an uncaught Scheme error *)
  | Exit of int                   (** the program called [exit] *)
  | Misuse of string              (** a closed VM, a value of another VM, a call while the VM is busy... *)
  | Bad_image of string           (** the image was refused; the message says why *)
  | No_memory of string

exception Pith_error of error
(** Raised by the [_exn] functions, {!get}, and when a closed VM or a value
    of another VM is used, when a host function uses the VM (host functions
    run while the VM is in the middle of something), or when code is run
    while the VM is busy.  Strings passed to Pith as source, names or paths
    must not hold NUL characters ([Invalid_argument]). *)

exception Scheme_raise of string * value list
(** Raise it in an OCaml primitive to raise a Scheme error with this message
    and irritants. *)

val error_to_string : error -> string
val get : ('a, error) result -> 'a
(** The value, or raise {!Pith_error}. *)

(** {1 Opening} *)

val open_vm : ?image:string -> ?heap_limit:int -> ?gc_stress:bool -> Host.t -> (vm, error) result
(** A VM on [host], from the built-in boot image or from [image] (the bytes
    of a saved image; then call {!resume}).  [heap_limit]: bytes the heap
    may use (0: no limit); [gc_stress]: collect at every allocation
    (testing). *)

val load_image : Host.t -> string -> (vm, error) result
(** A VM on the image in file [path], read through the host's storage; then
    call {!resume}. *)

val close : vm -> unit
(** Close the VM and return its memory.  Closing twice does nothing. *)

val last_host_exception : vm -> exn option
(** The last exception a host function raised (it became an error code),
    and forget it. *)

(** {1 Running code} *)

val eval : ?name:string -> vm -> string -> (value, error) result
(** Evaluate every form of the source; the value of the last.  [name]
    labels locations in errors. *)

val eval_exn : ?name:string -> vm -> string -> value
val call : vm -> value -> value list -> (value, error) result
val call_exn : vm -> value -> value list -> value
val lookup : vm -> string -> (value, error) result
(** A global variable of the interaction environment. *)

val define : vm -> string -> value -> (unit, error) result
val load : vm -> string -> (value, error) result
(** Load a Scheme file through the host's storage. *)

val repl : vm -> (unit, error) result
(** The REPL on the host's console, until the end of its input or [exit]. *)

val add_library_path : ?at_end:bool -> vm -> string -> (unit, error) result
(** A directory [import] searches (first, or last with [~at_end:true]). *)

(** {1 Images} *)

val save_image : vm -> string -> (unit, error) result
(** The whole heap, written to [path] through the host's storage. *)

val resume : vm -> (value, error) result
(** After opening an image: run its [on-resume] thunks and continue it. *)

(** {1 Running in slices}

    For hosts that drive the VM from an event loop (Lwt, Mirage): set up a
    computation, then run it a slice at a time.  A host with [wait = None]
    makes {!run} return [Waiting] when the program waits for input, instead
    of blocking. *)

type step =
  | Done of value  (** finished *)
  | Yield          (** the budget is spent: call {!run} again *)
  | Waiting        (** the program waits for host I/O: call {!run} when it may be ready *)

val begin_eval : ?name:string -> vm -> string -> (unit, error) result
val begin_call : vm -> value -> value list -> (unit, error) result
val run : ?budget:int -> vm -> (step, error) result
(** Run for at most [budget] steps (procedure calls; default 100,000). *)

(** {1 Limits} *)

val set_fuel : vm -> int -> unit
(** Steps the program may take before a catchable fuel-exhausted error
    (-1: unlimited). *)

val set_heap_limit : vm -> int -> unit
(** Bytes of heap (0: no limit); reaching it is a catchable error. *)

val interrupt : vm -> unit
(** Stop the running computation with a catchable "interrupted" error.  Call
    it from a primitive or a host function.  An OCaml signal handler runs
    only when OCaml code runs, so it reaches a Scheme loop that makes no
    host call or primitive call only at the end: bound such code with
    {!set_fuel}, or run it in slices ({!run}). *)

(** {1 Making values} *)

val int : vm -> int -> value
val int64 : vm -> int64 -> value
val float : vm -> float -> value
val bool : vm -> bool -> value
val char : vm -> int -> value      (** a Unicode code point *)

val string : vm -> string -> value (** UTF-8 (NULs allowed; invalid bytes become U+FFFD) *)

val symbol : vm -> string -> value
val null : vm -> value             (** the empty list *)

val void : vm -> value             (** the unspecified value *)

val cons : vm -> value -> value -> value
val list : vm -> value list -> value
val vector : vm -> value array -> value

(** {1 Looking at values}

    The conversions raise [Invalid_argument] for a value of another type. *)

type kind =
  | K_other | K_int | K_float | K_bool | K_char | K_string | K_symbol | K_null | K_pair | K_vector
  | K_procedure | K_bytevector | K_void | K_eof | K_number  (** K_number: a bignum, ratio or complex *)

val kind : value -> kind
val to_int : value -> int
val to_int64 : value -> int64
val to_float : value -> float
val to_char : value -> int
val is_true : value -> bool        (** anything but [#f] *)

val to_string : value -> string    (** a string's or symbol's UTF-8 *)

val write_string : value -> string (** the value as [write] prints it *)

val car : value -> value
val cdr : value -> value
val to_list : value -> value list  (** a proper list's elements *)

val to_array : value -> value array (** a vector's elements *)

val eq : value -> value -> bool    (** [eq?] *)

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
  | Other of string     (** anything else (a procedure, a bignum, a pair...), as [write] prints it *)

val to_ocaml : value -> t
val of_ocaml : vm -> t -> value
(** Raises [Invalid_argument] for [Other]. *)

(** {1 Primitives written in OCaml} *)

val define_primitive : vm -> string -> ?min_args:int -> ?max_args:int -> (value list -> value) -> (unit, error) result
(** Bind [name] to an OCaml function taking [min_args] to [max_args]
    arguments ([max_args] < 0: any number).  The function may make values,
    look at them and raise {!Scheme_raise}; any other exception becomes a
    Scheme error too, except [Sys.Break], [Out_of_memory] and
    [Stack_overflow], which stop the run and reach the caller of the
    function that ran it.  It must not run Scheme code (eval, call, run) or
    close the VM: the VM is busy, and such calls fail with [Misuse].

    The arguments are valid during the call only, as in the C API: a
    primitive that keeps one for later must keep {!keep}'s copy.  Values
    the primitive makes last until OCaml collects them. *)

val keep : value -> value
(** A copy of the value that lasts until OCaml collects it (for a
    primitive's arguments, which last only during the call). *)
