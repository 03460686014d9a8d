(* test_pith.ml -- the OCaml bindings: every function of Pith, callbacks in
   both directions, error paths, images, slices with a host that is often
   not ready, and Scheme values held from OCaml across collections.
   SPDX-License-Identifier: MIT *)
module H = Pith.Host

(* A host whose console is in memory: output collected, input from a string. *)
let mem_host ?(input = "") ?(storage = None) ?(wait = true) () =
  let out = Buffer.create 256 and err = Buffer.create 256 in
  let pos = ref 0 in
  let host =
    {
      (Pith_unix.host ~args:[ "test"; "a1" ] ~env:[ ("GREETING", "hello") ] ()) with
      console_write =
        (fun stream s ->
          Buffer.add_string (if stream = H.Err then err else out) s;
          Ok (String.length s));
      console_read =
        (fun n ->
          if !pos >= String.length input then Error H.End_of_input
          else
            let k = min n (String.length input - !pos) in
            let s = String.sub input !pos k in
            pos := !pos + k;
            Ok s);
      storage = (match storage with None -> (Pith_unix.host ()).storage | Some s -> s);
      wait = (if wait then Some (fun _ -> ()) else None);
    }
  in
  (host, out, err)

let open_ok ?image ?gc_stress host =
  match Pith.open_vm ?image ?gc_stress host with Ok vm -> vm | Error e -> Alcotest.fail (Pith.error_to_string e)

let with_vm ?input f =
  let host, out, err = mem_host ?input () in
  let vm = open_ok host in
  Fun.protect ~finally:(fun () -> Pith.close vm) (fun () -> f vm out err)

let ev vm src = Pith.eval_exn vm src
let int_of vm src = Pith.to_int (ev vm src)
let check_int = Alcotest.(check int)
let check_str = Alcotest.(check string)
let check_bool = Alcotest.(check bool)

let scheme_error = function
  | Error (Pith.Scheme_error e) -> e
  | Error e -> Alcotest.fail ("another error: " ^ Pith.error_to_string e)
  | Ok v -> Alcotest.fail ("no error; got " ^ Pith.write_string v)

(* ---- running code ---- *)

let test_eval () =
  with_vm (fun vm _ _ ->
      check_int "arithmetic" 42 (int_of vm "(define (f x) (* x 2)) (f 21)");
      check_str "a string" "héllo" (Pith.to_string (ev vm "(string-append \"hé\" \"llo\")"));
      check_bool "a boolean" true (Pith.is_true (ev vm "(< 1 2)"));
      Alcotest.(check (float 1e-12)) "a float" 1.5 (Pith.to_float (ev vm "(/ 3. 2)"));
      check_str "write_string" "(1 \"two\" #\\3)" (Pith.write_string (ev vm "(list 1 \"two\" #\\3)")))

let test_errors () =
  with_vm (fun vm _ _ ->
      let e = scheme_error (Pith.eval ~name:"t.scm" vm "\n(car 5)") in
      check_str "message" "car: expected a pair, got" e.message;
      Alcotest.(check (list string)) "irritants" [ "5" ] e.irritants;
      Alcotest.(check (option string)) "location" (Some "t.scm:2:1") e.location;
      check_bool "report names the place" true (Astring_contains.contains e.report "t.scm:2:1");
      let e = scheme_error (Pith.eval vm "(error \"custom\" 'a \"b\" 3)") in
      check_str "error's message" "custom" e.message;
      Alcotest.(check (list string)) "error's irritants" [ "a"; "\"b\""; "3" ] e.irritants;
      let e = scheme_error (Pith.eval vm "(1 2") in
      check_bool "a syntax error" true (String.length e.message > 0);
      (match Pith.eval vm "(exit 7)" with Error (Pith.Exit 7) -> () | _ -> Alcotest.fail "exit 7");
      check_int "the VM goes on after errors" 3 (int_of vm "(+ 1 2)");
      (match Pith.eval_exn vm "(car '())" with
       | exception Pith.Pith_error (Pith.Scheme_error _) -> ()
       | _ -> Alcotest.fail "eval_exn raises");
      check_bool "guard catches" true (Pith.is_true (ev vm "(guard (e (#t #t)) (vector-ref (vector) 1))")))

let test_call_define () =
  with_vm (fun vm _ _ ->
      ignore (ev vm "(define (combine a b c d) (list (+ a 1) (* b 2.) (string-length c) (length d)))");
      let f = Pith.get (Pith.lookup vm "combine") in
      let r =
        Pith.call_exn vm f
          [ Pith.int vm 41; Pith.float vm 1.25; Pith.string vm "four"; Pith.list vm [ Pith.int vm 1; Pith.int vm 2 ] ]
      in
      Alcotest.(check string) "call with OCaml arguments" "(42 2.5 4 2)" (Pith.write_string r);
      (match Pith.lookup vm "no-such-thing" with Error _ -> () | Ok _ -> Alcotest.fail "lookup of an unbound name");
      Pith.get (Pith.define vm "answer" (Pith.int vm 42)) |> ignore;
      check_int "define" 43 (int_of vm "(+ answer 1)");
      let e = scheme_error (Pith.call vm (Pith.int vm 5) []) in
      check_bool "calling a non-procedure" true (Astring_contains.contains e.message "non-procedure");
      let e = scheme_error (Pith.call vm f [ Pith.int vm 1 ]) in
      check_bool "wrong argument count" true (Astring_contains.contains e.message "arguments"))

let test_values () =
  with_vm (fun vm _ _ ->
      let open Pith in
      let round x = to_ocaml (of_ocaml vm x) in
      let samples =
        [ Int 0; Int (-7); Int max_int; Float 2.5; Float (-0.); Bool true; Bool false; Char 0x3bb; String "a\000b λ";
          Symbol "sym-λ"; List []; List [ Int 1; List [ String "x" ]; Vector [| Bool true |] ]; Vector [||]; Void ]
      in
      List.iter (fun x -> if round x <> x then Alcotest.failf "round trip of %s" (write_string (of_ocaml vm x))) samples;
      (match to_ocaml (ev vm "(expt 10 30)") with Other s -> check_str "a bignum" "1000000000000000000000000000000" s | _ -> Alcotest.fail "bignum");
      (match to_ocaml (ev vm "(cons 1 2)") with Other s -> check_str "an improper list" "(1 . 2)" s | _ -> Alcotest.fail "pair");
      check_bool "kind" true (kind (ev vm "car") = K_procedure);
      check_bool "eq" true (eq (ev vm "'a") (symbol vm "a"));
      check_int "car" 1 (to_int (car (ev vm "'(1 2)")));
      check_int "to_list" 3 (List.length (to_list (ev vm "'(1 2 3)")));
      check_int "to_array" 2 (Array.length (to_array (ev vm "#(a b)")));
      check_int "int64" 5 (to_int (int64 vm 5L));
      check_bool "to_int64" true (to_int64 (ev vm "(expt 2 40)") = 1099511627776L);
      check_str "cdr" "(2)" (write_string (cdr (ev vm "'(1 2)")));
      check_int "to_char" 0x41 (to_char (char vm 0x41));
      check_bool "null" true (kind (null vm) = K_null);
      check_bool "void" true (kind (void vm) = K_void);
      check_bool "bool" false (is_true (bool vm false));
      (match to_int (string vm "x") with exception Invalid_argument _ -> () | _ -> Alcotest.fail "to_int of a string");
      (match to_string (int vm 1) with exception Invalid_argument _ -> () | _ -> Alcotest.fail "to_string of an int");
      (match car (int vm 1) with exception Invalid_argument _ -> () | _ -> Alcotest.fail "car of an int"))

(* ---- primitives in OCaml (Scheme calling OCaml) ---- *)

exception Private_failure

let test_primitives () =
  with_vm (fun vm _ _ ->
      let sum args = Pith.int vm (List.fold_left (fun a v -> a + Pith.to_int v) 0 args) in
      Pith.get (Pith.define_primitive vm "ocaml-sum" sum) |> ignore;
      check_int "a primitive" 10 (int_of vm "(ocaml-sum 1 2 3 4)");
      check_int "from a higher-order call" 6 (int_of vm "(apply ocaml-sum (map (lambda (x) (* x 2)) '(1 2)))");
      Pith.get (Pith.define_primitive vm "ocaml-two" ~min_args:2 ~max_args:2 (fun args -> List.nth args 1)) |> ignore;
      let e = scheme_error (Pith.eval vm "(ocaml-two 1)") in
      check_bool "arity is checked" true (Astring_contains.contains e.message "arguments");
      Pith.get
        (Pith.define_primitive vm "ocaml-fail" (fun args -> raise (Pith.Scheme_raise ("ocaml says no", args))))
      |> ignore;
      let e = scheme_error (Pith.eval vm "(ocaml-fail 'x 2)") in
      check_str "Scheme_raise becomes a Scheme error" "ocaml says no" e.message;
      Alcotest.(check (list string)) "with irritants" [ "x"; "2" ] e.irritants;
      check_str "and guard catches it" "caught"
        (Pith.to_string (ev vm "(guard (e ((error-object? e) \"caught\")) (ocaml-fail))"));
      Pith.get (Pith.define_primitive vm "ocaml-bug" (fun _ -> raise Private_failure)) |> ignore;
      let e = scheme_error (Pith.eval vm "(ocaml-bug)") in
      check_bool "any exception becomes a Scheme error" true (Astring_contains.contains e.message "Private_failure");
      (* a primitive cannot run Scheme code: the VM is busy *)
      Pith.get (Pith.define_primitive vm "ocaml-reenter" (fun _ -> Pith.eval_exn vm "1")) |> ignore;
      let e = scheme_error (Pith.eval vm "(ocaml-reenter)") in
      check_bool "re-entering is refused" true (Astring_contains.contains e.message "misuse");
      (* values made in a primitive survive it *)
      Pith.get (Pith.define_primitive vm "ocaml-make" (fun _ -> Pith.list vm [ Pith.string vm "made"; Pith.float vm 0.5 ])) |> ignore;
      check_str "values made in a primitive" "((\"made\" 0.5) (\"made\" 0.5))" (Pith.write_string (ev vm "(list (ocaml-make) (ocaml-make))")))

(* ---- the host's callbacks (Pith calling OCaml) ---- *)

let test_console_and_process () =
  with_vm ~input:"(+ 1 2) \"typed\"" (fun vm out err ->
      ignore (ev vm "(display \"to out\") (write-string \"to err\" (current-error-port)) (flush-output-port)");
      check_str "console output" "to out" (Buffer.contents out);
      check_str "error stream" "to err" (Buffer.contents err);
      check_str "console input" "((+ 1 2) \"typed\")" (Pith.write_string (ev vm "(let* ((a (read)) (b (read))) (list a b))"));
      check_str "command-line" "(\"test\" \"a1\")" (Pith.write_string (ev vm "(command-line)"));
      check_str "environment" "hello" (Pith.to_string (ev vm "(get-environment-variable \"GREETING\")"));
      check_bool "features" true (Pith.is_true (ev vm "(and (memq 'ocaml (features)) #t)"));
      let now = Unix.gettimeofday () in
      let t = Pith.to_float (ev vm "(current-second)") in
      check_bool "the wall clock" true (abs_float (t -. now) < 5.);
      check_bool "the monotonic clock" true (Pith.is_true (ev vm "(let ((a (current-jiffy))) (let loop ((i 0)) (if (< i 100000) (loop (+ i 1)))) (<= a (current-jiffy)))")))

(* In-memory storage that counts calls; `broken` makes writes raise. *)
let mem_storage () =
  let files : (string, Buffer.t) Hashtbl.t = Hashtbl.create 8 in
  let open_h : (int, string * int ref) Hashtbl.t = Hashtbl.create 8 in
  let n = ref 0 and broken = ref false in
  let st : H.storage =
    {
      open_file =
        (fun name mode ->
          match mode with
          | H.Read when not (Hashtbl.mem files name) -> Error H.No_such_file
          | H.Read -> incr n; Hashtbl.replace open_h !n (name, ref 0); Ok !n
          | H.Write -> Hashtbl.replace files name (Buffer.create 16); incr n; Hashtbl.replace open_h !n (name, ref 0); Ok !n
          | H.Append ->
              if not (Hashtbl.mem files name) then Hashtbl.replace files name (Buffer.create 16);
              incr n; Hashtbl.replace open_h !n (name, ref 0); Ok !n);
      read =
        (fun h k ->
          let name, pos = Hashtbl.find open_h h in
          let b = Buffer.contents (Hashtbl.find files name) in
          let k = min k (String.length b - !pos) in
          let s = String.sub b !pos k in
          pos := !pos + k;
          Ok s);
      write =
        (fun h s ->
          if !broken then failwith "the disk is on fire";
          let name, _ = Hashtbl.find open_h h in
          Buffer.add_string (Hashtbl.find files name) s;
          Ok (String.length s));
      seek = (fun h off -> let _, pos = Hashtbl.find open_h h in pos := off; Ok ());
      size = (fun h -> let name, _ = Hashtbl.find open_h h in Ok (Buffer.length (Hashtbl.find files name)));
      close = (fun h -> Hashtbl.remove open_h h; Ok ());
      remove = (fun name -> if Hashtbl.mem files name then (Hashtbl.remove files name; Ok ()) else Error H.No_such_file);
      exists = (fun name -> Hashtbl.mem files name);
      list = (fun _ -> Ok (Hashtbl.fold (fun k _ a -> k :: a) files [] |> List.sort compare));
    }
  in
  (st, files, broken)

let test_storage () =
  let st, files, broken = mem_storage () in
  let host, _, _ = mem_host ~storage:(Some (Some st)) () in
  let vm = open_ok host in
  ignore (ev vm "(call-with-output-file \"notes\" (lambda (p) (write '(1 \"two\") p)))");
  check_str "written through OCaml" "(1 \"two\")" (Buffer.contents (Hashtbl.find files "notes"));
  check_str "read back" "(1 \"two\")" (Pith.write_string (ev vm "(call-with-input-file \"notes\" read)"));
  check_bool "file-exists?" true (Pith.is_true (ev vm "(and (file-exists? \"notes\") (not (file-exists? \"other\")))"));
  ignore (ev vm "(delete-file \"notes\")");
  check_bool "deleted" false (Hashtbl.mem files "notes");
  let e = scheme_error (Pith.eval vm "(open-input-file \"missing\")") in
  check_bool "a missing file is a file error" true (Astring_contains.contains e.report "missing");
  check_bool "file-error?" true (Pith.is_true (ev vm "(guard (e ((file-error? e) #t)) (open-input-file \"missing\"))"));
  (* an exception in a host function: an error code, then a Scheme error *)
  broken := true;
  let e = scheme_error (Pith.eval vm "(call-with-output-file \"x\" (lambda (p) (write-string \"data\" p)))") in
  check_bool "an OCaml exception in storage becomes a Scheme error" true (String.length e.message > 0);
  (match Pith.last_host_exception vm with
   | Some (Failure m) -> check_str "the exception is kept" "the disk is on fire" m
   | _ -> Alcotest.fail "last_host_exception");
  broken := false;
  check_int "the VM goes on" 2 (int_of vm "(+ 1 1)");
  Pith.close vm;
  (* no storage at all *)
  let host, _, _ = mem_host ~storage:(Some None) () in
  let vm = open_ok host in
  let e = scheme_error (Pith.eval vm "(open-input-file \"x\")") in
  check_bool "a host without storage" true (Astring_contains.contains e.message "storage");
  Pith.close vm

let test_files_and_libraries () =
  let dir = Filename.concat (Filename.get_temp_dir_name ()) (Printf.sprintf "pith-ocaml-%d" (Unix.getpid ())) in
  Unix.mkdir dir 0o755;
  Unix.mkdir (Filename.concat dir "ml") 0o755;
  let write name s = let oc = open_out (Filename.concat dir name) in output_string oc s; close_out oc in
  write "ml/util.sld" "(define-library (ml util) (export triple) (import (scheme base)) (begin (define (triple x) (* 3 x))))";
  write "prog.scm" "(define loaded 'yes) (+ 40 2)";
  with_vm (fun vm _ _ ->
      check_int "load" 42 (Pith.to_int (Pith.get (Pith.load vm (Filename.concat dir "prog.scm"))));
      check_str "what load defined" "yes" (Pith.to_string (ev vm "(symbol->string loaded)"));
      Pith.get (Pith.add_library_path vm dir) |> ignore;
      check_int "import through add_library_path" 21 (int_of vm "(import (ml util)) (triple 7)");
      (match Pith.load vm "/nonexistent/x.scm" with Error (Pith.Scheme_error _) -> () | _ -> Alcotest.fail "loading a missing file"));
  List.iter (fun f -> Sys.remove (Filename.concat dir f)) [ "ml/util.sld"; "prog.scm" ];
  Unix.rmdir (Filename.concat dir "ml");
  Unix.rmdir dir

(* ---- images ---- *)

let test_images () =
  let path = Filename.temp_file "pith-ocaml" ".img" in
  let host, _, _ = mem_host () in
  let vm = open_ok host in
  ignore (ev vm "(define saved-value (list 'kept 42)) (define resumes 0) (on-resume (lambda () (set! resumes (+ resumes 1))))");
  Pith.get (Pith.save_image vm path) |> ignore;
  Pith.close vm;
  (match Pith.load_image host path with
   | Error e -> Alcotest.fail (Pith.error_to_string e)
   | Ok vm2 ->
       ignore (Pith.get (Pith.resume vm2));
       check_str "the image's data" "((kept 42) 1)" (Pith.write_string (ev vm2 "(list saved-value resumes)"));
       Pith.close vm2);
  let bytes = let ic = open_in_bin path in let s = really_input_string ic (in_channel_length ic) in close_in ic; s in
  let vm3 = open_ok ~image:bytes host in
  ignore (Pith.get (Pith.resume vm3));
  check_int "open_vm ~image" 42 (int_of vm3 "(cadr saved-value)");
  Pith.close vm3;
  (match Pith.open_vm ~image:"not an image at all, not at all, not at all, no, no, no, no, no!" host with
   | Error (Pith.Bad_image m) -> check_bool "names the problem" true (Astring_contains.contains m "magic")
   | _ -> Alcotest.fail "a bad image is refused");
  let damaged = Bytes.of_string bytes in
  Bytes.set damaged 100 (Char.chr (Char.code (Bytes.get damaged 100) lxor 1));
  (match Pith.open_vm ~image:(Bytes.to_string damaged) host with
   | Error (Pith.Bad_image m) -> check_bool "a damaged image" true (Astring_contains.contains m "checksum")
   | _ -> Alcotest.fail "a damaged image is refused");
  (match Pith.load_image host "/nonexistent/x.img" with Error (Pith.Bad_image _) -> () | _ -> Alcotest.fail "missing image file");
  Sys.remove path

(* ---- slices, and a host that is often not ready ---- *)

let test_slices () =
  let host, _, _ = mem_host () in
  let vm = open_ok host in
  Pith.get (Pith.begin_eval vm "(define (loop i acc) (if (= i 0) acc (loop (- i 1) (+ acc i)))) (loop 300000 0)") |> ignore;
  let rec go n = match Pith.get (Pith.run ~budget:1000 vm) with Pith.Done v -> (v, n) | Pith.Yield | Pith.Waiting -> go (n + 1) in
  let v, slices = go 1 in
  check_int "the result" 45000150000 (Pith.to_int v);
  check_bool "it took several slices" true (slices > 5);
  (match Pith.eval vm "1" with Ok _ -> () | Error e -> Alcotest.fail (Pith.error_to_string e));
  let f = Pith.eval_exn vm "(lambda (a b) (* a b))" in
  Pith.get (Pith.begin_call vm f [ Pith.int vm 6; Pith.int vm 7 ]) |> ignore;
  (match Pith.get (Pith.run vm) with Pith.Done v -> check_int "begin_call" 42 (Pith.to_int v) | _ -> Alcotest.fail "begin_call");
  Pith.get (Pith.begin_eval vm "(car 1)") |> ignore;
  (match Pith.run vm with Error (Pith.Scheme_error _) -> () | _ -> Alcotest.fail "an error in a slice");
  Pith.close vm

(* Every read and write answers "not ready" three times before it works. *)
let test_not_ready () =
  let input = "(1 2 3)\n\"λ-data\"\n" in
  let out = Buffer.create 64 in
  let pos = ref 0 and read_refusals = ref 0 and write_refusals = ref 0 and refused_r = ref 0 and refused_w = ref 0 in
  let host =
    {
      (Pith_unix.host ()) with
      console_write =
        (fun _ s ->
          if !write_refusals < 3 then (incr write_refusals; incr refused_w; Error H.Again)
          else (write_refusals := 0; let k = min 3 (String.length s) in Buffer.add_string out (String.sub s 0 k); Ok k));
      console_read =
        (fun n ->
          if !read_refusals < 3 then (incr read_refusals; incr refused_r; Error H.Again)
          else begin
            read_refusals := 0;
            if !pos >= String.length input then Error H.End_of_input
            else begin
              let k = min (min n 2) (String.length input - !pos) in
              let s = String.sub input !pos k in
              pos := !pos + k;
              Ok s
            end
          end);
      wait = None;
    }
  in
  let vm = open_ok host in
  Pith.get
    (Pith.begin_eval vm
       "(define a (read)) (define b (read)) (display (list (apply + a) (string-length b) b)) (flush-output-port) (list a b)")
  |> ignore;
  let rec go waits = match Pith.get (Pith.run ~budget:5000 vm) with Pith.Done v -> (v, waits) | Pith.Waiting -> go (waits + 1) | Pith.Yield -> go waits in
  let v, waits = go 0 in
  check_str "the program's result" "((1 2 3) \"λ-data\")" (Pith.write_string v);
  check_str "its output, written 3 bytes at a time" "(6 6 λ-data)" (Buffer.contents out);
  check_bool "reads were refused and retried" true (!refused_r >= 6 && waits > 0);
  check_bool "writes were refused and retried" true (!refused_w >= 3);
  Pith.close vm

(* ---- handles and collections ---- *)

let test_gc_stress () =
  let host, _, _ = mem_host () in
  let vm = open_ok ~gc_stress:true host in
  (* values held from OCaml while Scheme allocates and collects *)
  let held = Array.init 2000 (fun i -> if i mod 2 = 0 then Pith.string vm (string_of_int i) else Pith.list vm [ Pith.int vm i; Pith.float vm (float_of_int i) ]) in
  ignore (ev vm "(define junk '()) (let loop ((i 0)) (when (< i 2000) (set! junk (cons (make-vector 10 i) junk)) (loop (+ i 1)))) (collect-garbage) 0");
  Array.iteri
    (fun i v ->
      let expect = if i mod 2 = 0 then "\"" ^ string_of_int i ^ "\"" else Printf.sprintf "(%d %d.0)" i i in
      if Pith.write_string v <> expect then Alcotest.failf "value %d changed: %s" i (Pith.write_string v))
    held;
  Pith.get (Pith.define_primitive vm "ocaml-pair" (fun args -> Pith.cons vm (List.hd args) (Pith.string vm "x"))) |> ignore;
  check_str "primitives under collection stress" "((1 . \"x\") (2 . \"x\"))" (Pith.write_string (ev vm "(list (ocaml-pair 1) (ocaml-pair 2))"));
  Pith.close vm;
  (* many short-lived values: their handles are released as OCaml collects them *)
  let vm = open_ok host in
  for i = 1 to 200_000 do
    let v = Pith.int vm i in
    if i mod 50_000 = 0 then (Gc.full_major (); check_int "a fresh value" i (Pith.to_int v))
  done;
  Gc.full_major ();
  check_int "the VM still works" 3 (int_of vm "(+ 1 2)");
  Pith.close vm

(* ---- limits and misuse ---- *)

let test_limits_and_misuse () =
  let host, _, _ = mem_host () in
  let vm = open_ok host in
  let other = open_ok host in
  (match Pith.cons vm (Pith.int vm 1) (Pith.int other 2) with
   | exception Pith.Pith_error (Pith.Misuse _) -> ()
   | _ -> Alcotest.fail "a value of another VM");
  Pith.close other;
  (match Pith.eval other "1" with exception Pith.Pith_error (Pith.Misuse _) -> () | _ -> Alcotest.fail "a closed VM");
  Pith.set_fuel vm 10_000;
  let e = scheme_error (Pith.eval vm "(let loop () (loop))") in
  check_bool "fuel" true (Astring_contains.contains e.message "fuel");
  Pith.set_fuel vm (-1);
  Pith.get (Pith.define_primitive vm "ocaml-interrupt" (fun _ -> Pith.interrupt vm; Pith.void vm)) |> ignore;
  let e = scheme_error (Pith.eval vm "(ocaml-interrupt) (let loop () (loop))") in
  check_bool "interrupt" true (Astring_contains.contains e.message "interrupt");
  Pith.set_heap_limit vm (8 * 1024 * 1024);
  let e = scheme_error (Pith.eval vm "(let loop ((l '())) (loop (cons (make-vector 100) l)))") in
  check_bool "the heap limit" true (Astring_contains.contains e.message "heap");
  Pith.set_heap_limit vm 0;
  check_int "still usable" 2 (int_of vm "(+ 1 1)");
  Pith.close vm;
  Pith.close vm

(* ---- what a review found ---- *)

let test_review_cases () =
  let kept = ref None in
  with_vm (fun vm _ _ ->
      (match Pith.eval vm "(+ 1 2)\000 (car 5)" with exception Invalid_argument _ -> () | _ -> Alcotest.fail "a NUL in source");
      (match Pith.char vm 0xD800 with exception Invalid_argument _ -> () | _ -> Alcotest.fail "a surrogate char");
      (match Pith.to_int (ev vm "(expt 2 62)") with exception Invalid_argument _ -> () | _ -> Alcotest.fail "to_int out of range");
      Pith.get (Pith.define_primitive vm "ocaml-close" (fun _ -> Pith.close vm; Pith.void vm)) |> ignore;
      let e = scheme_error (Pith.eval vm "(ocaml-close)") in
      check_bool "closing from a primitive is refused" true (Astring_contains.contains e.message "misuse");
      check_int "and the VM goes on" 1 (int_of vm "1");
      (* handles made for primitives are released during one long call *)
      Pith.set_heap_limit vm (24 * 1024 * 1024);
      Pith.get (Pith.define_primitive vm "ocaml-id" (fun args -> List.hd args)) |> ignore;
      Pith.get (Pith.define_primitive vm "ocaml-keep" (fun args -> kept := Some (Pith.keep (List.hd args)); List.hd args)) |> ignore;
      ignore (ev vm "(ocaml-keep (list 'kept 1)) (collect-garbage)");
      check_str "keep makes an argument last" "(kept 1)" (match !kept with Some v -> Pith.write_string v | None -> "none");
      check_int "200,000 primitive calls on big values in one run" 200000
        (int_of vm "(let loop ((i 0)) (if (< i 200000) (begin (ocaml-id (make-vector 100 i)) (loop (+ i 1))) i))");
      Pith.set_heap_limit vm 0);
  (* a host function that uses the VM: refused, as a Scheme error *)
  let vmr = ref None in
  let host, _, _ = mem_host () in
  let host = { host with console_write = (fun _ s -> (match !vmr with Some vm -> ignore (Pith.int vm 1) | None -> ()); Ok (String.length s)) } in
  let vm = open_ok host in
  vmr := Some vm;
  check_bool "a host function using the VM makes the write fail" true (Result.is_error (Pith.eval vm "(display \"x\") (flush-output-port)"));
  (match Pith.last_host_exception vm with
   | Some (Pith.Pith_error (Pith.Misuse _)) -> ()
   | _ -> Alcotest.fail "the Misuse is kept");
  Pith.close vm;
  (* a fatal exception in a host function reaches the caller *)
  let host, _, _ = mem_host () in
  let host = { host with console_write = (fun _ _ -> raise Sys.Break) } in
  let vm = open_ok host in
  (match Pith.eval vm "(display \"x\") (flush-output-port) (let loop () (loop))" with
   | exception Sys.Break -> ()
   | _ -> Alcotest.fail "Sys.Break is re-raised");
  check_int "the VM is usable after it" 2 (int_of vm "(+ 1 1)");
  Pith.close vm;
  (* too many open files: Pith collects and tries again *)
  let st, files, _ = mem_storage () in
  let refusals = ref 1 in
  let st = { st with open_file = (fun n m -> if !refusals > 0 then (decr refusals; Error H.Too_many_open) else st.open_file n m) } in
  let host, _, _ = mem_host ~storage:(Some (Some st)) () in
  let vm = open_ok host in
  ignore (ev vm "(call-with-output-file \"f\" (lambda (p) (write-string \"ok\" p)))");
  check_str "an open retried after Too_many_open" "ok" (Buffer.contents (Hashtbl.find files "f"));
  Pith.close vm

(* ---- the REPL ---- *)

let test_repl () =
  let host, out, err = mem_host ~input:"(define x 6)\n(* x 7)\n(car 1)\n\"str\"\n" () in
  let vm = open_ok host in
  (match Pith.repl vm with Ok () -> () | Error e -> Alcotest.fail (Pith.error_to_string e));
  check_str "the REPL's output" "42\n\"str\"\n" (Buffer.contents out);
  check_bool "its errors" true (Astring_contains.contains (Buffer.contents err) "car");
  Pith.close vm

let () =
  Alcotest.run "pith"
    [
      ("running", [ Alcotest.test_case "eval" `Quick test_eval; Alcotest.test_case "errors" `Quick test_errors;
                    Alcotest.test_case "call and define" `Quick test_call_define; Alcotest.test_case "repl" `Quick test_repl ]);
      ("values", [ Alcotest.test_case "conversions" `Quick test_values ]);
      ("ocaml primitives", [ Alcotest.test_case "primitives" `Quick test_primitives ]);
      ("host callbacks", [ Alcotest.test_case "console, clocks, process" `Quick test_console_and_process;
                           Alcotest.test_case "storage" `Quick test_storage;
                           Alcotest.test_case "files and libraries" `Quick test_files_and_libraries ]);
      ("images", [ Alcotest.test_case "save, load, resume" `Quick test_images ]);
      ("slices", [ Alcotest.test_case "budgets" `Quick test_slices; Alcotest.test_case "a host not ready" `Quick test_not_ready ]);
      ("handles", [ Alcotest.test_case "gc stress" `Quick test_gc_stress ]);
      ("limits", [ Alcotest.test_case "limits and misuse" `Quick test_limits_and_misuse;
                   Alcotest.test_case "review cases" `Quick test_review_cases ]);
    ]
