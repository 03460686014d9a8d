(* pith_c_desc.ml -- the C functions OCaml calls (Cstubs: generated C
   stubs, no libffi): pith.h, and the wrappers of src/pith_ml.h.
   SPDX-License-Identifier: MIT *)
open Ctypes

let vm = ptr void
let value = uint64_t

(* C strings are passed as buffers the caller keeps alive for the whole
   call (Pith.with_cstr): a ctypes [string] argument's buffer could be
   collected by OCaml during a callback the call makes. *)
let cstr = ptr char

module Bindings (F : Cstubs.FOREIGN) = struct
  open F

  let ml_open =
    foreign "pith_ml_open"
      (intptr_t @-> ptr char @-> int @-> ptr char @-> int @-> cstr @-> int @-> int @-> int @-> ptr char @-> size_t
     @-> size_t @-> int @-> ptr int @-> ptr char @-> size_t @-> returning vm)

  let ml_load_image =
    foreign "pith_ml_load_image"
      (intptr_t @-> ptr char @-> int @-> ptr char @-> int @-> cstr @-> int @-> int @-> int @-> cstr @-> ptr int
     @-> ptr char @-> size_t @-> returning vm)

  let ml_close = foreign "pith_ml_close" (vm @-> returning void)
  let ml_define_primitive = foreign "pith_ml_define_primitive" (vm @-> cstr @-> intptr_t @-> int @-> int @-> returning int)
  let ml_eval = foreign "pith_ml_eval" (vm @-> cstr @-> cstr @-> ptr value @-> returning int)
  let ml_call = foreign "pith_ml_call" (vm @-> value @-> int @-> ptr value @-> ptr value @-> returning int)
  let ml_lookup = foreign "pith_ml_lookup" (vm @-> cstr @-> ptr value @-> returning int)
  let ml_run = foreign "pith_ml_run" (vm @-> int64_t @-> ptr value @-> returning int)
  let ml_resume = foreign "pith_ml_resume" (vm @-> ptr value @-> returning int)
  let ml_load = foreign "pith_ml_load" (vm @-> cstr @-> ptr value @-> returning int)
  let ml_string = foreign "pith_ml_string" (vm @-> ptr char @-> size_t @-> returning value)
  let ml_to_utf8 = foreign "pith_ml_to_utf8" (vm @-> value @-> ptr (ptr char) @-> ptr size_t @-> returning int)
  let ml_write_to_utf8 = foreign "pith_ml_write_to_utf8" (vm @-> value @-> ptr (ptr char) @-> ptr size_t @-> returning int)
  let ml_free = foreign "pith_ml_free" (ptr char @-> returning void)
  let define = foreign "pith_define" (vm @-> cstr @-> value @-> returning int)
  let repl = foreign "pith_repl" (vm @-> returning int)
  let save_image = foreign "pith_save_image" (vm @-> cstr @-> returning int)
  let begin_eval = foreign "pith_begin_eval" (vm @-> cstr @-> cstr @-> returning int)
  let begin_call = foreign "pith_begin_call" (vm @-> value @-> int @-> ptr value @-> returning int)
  let add_library_path = foreign "pith_add_library_path" (vm @-> cstr @-> int @-> returning int)
  let persist = foreign "pith_persist" (vm @-> value @-> returning value)
  let release = foreign "pith_release" (vm @-> value @-> returning void)
  let scope_begin = foreign "pith_scope_begin" (vm @-> returning uint32_t)
  let scope_end = foreign "pith_scope_end" (vm @-> uint32_t @-> returning void)
  let of_int = foreign "pith_int" (vm @-> int64_t @-> returning value)
  let of_float = foreign "pith_float" (vm @-> double @-> returning value)
  let of_bool = foreign "pith_bool" (vm @-> int @-> returning value)
  let of_char = foreign "pith_char" (vm @-> uint32_t @-> returning value)
  let symbol = foreign "pith_symbol" (vm @-> cstr @-> returning value)
  let null = foreign "pith_null" (vm @-> returning value)
  let void_ = foreign "pith_void" (vm @-> returning value)
  let cons = foreign "pith_cons" (vm @-> value @-> value @-> returning value)
  let vector = foreign "pith_vector" (vm @-> size_t @-> ptr value @-> returning value)
  let type_of = foreign "pith_type_of" (vm @-> value @-> returning int)
  let to_int = foreign "pith_to_int" (vm @-> value @-> ptr int @-> returning int64_t)
  let to_float = foreign "pith_to_float" (vm @-> value @-> ptr int @-> returning double)
  let is_true = foreign "pith_is_true" (vm @-> value @-> returning int)
  let to_char = foreign "pith_to_char" (vm @-> value @-> ptr int @-> returning uint32_t)
  let car = foreign "pith_car" (vm @-> value @-> returning value)
  let cdr = foreign "pith_cdr" (vm @-> value @-> returning value)
  let list_length = foreign "pith_list_length" (vm @-> value @-> returning long)
  let vector_length = foreign "pith_vector_length" (vm @-> value @-> returning long)
  let vector_ref = foreign "pith_vector_ref" (vm @-> value @-> size_t @-> returning value)
  let eq = foreign "pith_eq" (vm @-> value @-> value @-> returning int)
  let set_heap_limit = foreign "pith_set_heap_limit" (vm @-> size_t @-> returning void)
  let set_fuel = foreign "pith_set_fuel" (vm @-> int64_t @-> returning void)
  let interrupt = foreign "pith_interrupt" (vm @-> returning void)
  let raise_ = foreign "pith_raise" (vm @-> cstr @-> int @-> ptr value @-> returning int)
  let error_message = foreign "pith_error_message" (vm @-> returning string_opt)
  let error_object = foreign "pith_error_object" (vm @-> returning value)
  let error_irritants = foreign "pith_error_irritants" (vm @-> returning value)
  let error_location = foreign "pith_error_location" (vm @-> returning string_opt)
  let error_report = foreign "pith_error_report" (vm @-> returning string_opt)
  let exit_status = foreign "pith_exit_status" (vm @-> returning int)
end
