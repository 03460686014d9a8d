(* gen.ml -- writes the C and ML stubs the library is built from:
     pith_c_stubs.c, pith_c_generated.ml       (Cstubs: calls into C)
     pith_cb_stubs.c, pith_cb_stubs.h, pith_cb_generated.ml
                                               (Cstubs_inverted: callbacks)
   SPDX-License-Identifier: MIT *)
let with_file name f =
  let oc = open_out name in
  let fmt = Format.formatter_of_out_channel oc in
  f fmt;
  Format.pp_print_flush fmt ();
  close_out oc

let () =
  let dir = Sys.argv.(1) in
  let p n = Filename.concat dir n in
  with_file (p "pith_c_stubs.c") (fun fmt ->
      Format.fprintf fmt
        "#include \"pith.h\"@\n#include \"pith_ml.h\"@\n\
         /* pith.h's error accessors return const char *; ctypes' stubs drop the const */@\n\
         #pragma GCC diagnostic ignored \"-Wdiscarded-qualifiers\"@\n";
      Cstubs.write_c fmt ~prefix:"pith_stub" (module Pith_desc.Pith_c_desc.Bindings));
  with_file (p "pith_c_generated.ml") (fun fmt ->
      Cstubs.write_ml fmt ~prefix:"pith_stub" (module Pith_desc.Pith_c_desc.Bindings));
  with_file (p "pith_cb_stubs.h") (fun fmt ->
      Format.fprintf fmt "#include <stddef.h>@\n#include <stdint.h>@\n";
      Cstubs_inverted.write_c_header fmt ~prefix:"pith_cb" (module Pith_desc.Pith_cb_desc.Callbacks));
  with_file (p "pith_cb_stubs.c") (fun fmt ->
      Format.fprintf fmt "#include \"pith_cb_stubs.h\"@\n";
      Cstubs_inverted.write_c fmt ~prefix:"pith_cb" (module Pith_desc.Pith_cb_desc.Callbacks));
  with_file (p "pith_cb_generated.ml") (fun fmt ->
      Cstubs_inverted.write_ml fmt ~prefix:"pith_cb" (module Pith_desc.Pith_cb_desc.Callbacks))
