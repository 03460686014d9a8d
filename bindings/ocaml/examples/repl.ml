(* repl.ml -- Pith's REPL whose console is this OCaml program's stdin and
   stdout (Pith_unix's host).  Run: dune exec examples/repl.exe
   SPDX-License-Identifier: MIT *)
let () =
  let host = Pith_unix.host ~args:[ "repl" ] ~interactive:(Unix.isatty Unix.stdin) () in
  match Pith.open_vm host with
  | Error e -> prerr_endline (Pith.error_to_string e); exit 70
  | Ok vm ->
      let status = match Pith.repl vm with Ok () -> 0 | Error (Pith.Exit n) -> n | Error e -> prerr_string (Pith.error_to_string e); 70 in
      Pith.close vm;
      exit status
