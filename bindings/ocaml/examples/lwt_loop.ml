(* lwt_loop.ml -- Pith driven from an Lwt event loop.  The host has no
   blocking wait: Pith.run executes a slice and returns Yield (the budget is
   spent) or Waiting (the program waits for console input), and the loop
   gives Lwt its turn in between -- here a ticker thread that runs
   alongside, and the console, which is read by Lwt and handed to Pith.
   Run: echo 20 | dune exec examples/lwt_loop.exe
   SPDX-License-Identifier: MIT *)
open Lwt.Infix
module H = Pith.Host

let input = Buffer.create 64
let input_closed = ref false

let host () =
  {
    (Pith_unix.host ()) with
    console_read =
      (fun n ->
        if Buffer.length input > 0 then begin
          let k = min n (Buffer.length input) in
          let s = Buffer.sub input 0 k in
          let rest = Buffer.sub input k (Buffer.length input - k) in
          Buffer.clear input;
          Buffer.add_string input rest;
          Ok s
        end
        else if !input_closed then Error H.End_of_input
        else Error H.Again);
    wait = None;
  }

let rec drive vm slices =
  match Pith.run ~budget:20_000 vm with
  | Error e -> Lwt.fail_with (Pith.error_to_string e)
  | Ok (Pith.Done v) -> Lwt.return (v, slices)
  | Ok Pith.Yield -> Lwt.pause () >>= fun () -> drive vm (slices + 1)
  | Ok Pith.Waiting ->
      (* the program wants input: let Lwt read some *)
      (if !input_closed then Lwt.return_unit
       else
         Lwt_io.read ~count:4096 Lwt_io.stdin >|= fun s ->
         if s = "" then input_closed := true else Buffer.add_string input s)
      >>= fun () -> drive vm (slices + 1)

let () =
  let vm = match Pith.open_vm (host ()) with Ok vm -> vm | Error e -> failwith (Pith.error_to_string e) in
  let ticks = ref 0 in
  let rec ticker () = if !ticks >= 1_000_000 then Lwt.return_unit else (incr ticks; Lwt.pause () >>= ticker) in
  let main =
    Pith.begin_eval vm "(define (fib n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2))))) (fib (read))"
    |> (function Ok () -> () | Error e -> failwith (Pith.error_to_string e));
    drive vm 1
  in
  let result, slices = Lwt_main.run (Lwt.pick [ main; (ticker () >>= fun () -> Lwt.fail_with "the ticker finished first") ]) in
  Printf.printf "fib = %s after %d slices; the ticker ran %d times meanwhile\n" (Pith.write_string result) slices !ticks;
  Pith.close vm
