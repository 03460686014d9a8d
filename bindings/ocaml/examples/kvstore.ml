(* kvstore.ml -- a Scheme program whose storage is an in-memory OCaml table:
   a stand-in for a MirageOS block device or key-value store.  Files are
   keys; what the program writes stays in the table, which OCaml reads back
   afterwards.  Run: dune exec examples/kvstore.exe
   SPDX-License-Identifier: MIT *)
module H = Pith.Host

(* The store: key -> contents; open handles: handle -> (key, position, buffer). *)
let store : (string, string) Hashtbl.t = Hashtbl.create 16
let handles : (int, string * int ref * Buffer.t option) Hashtbl.t = Hashtbl.create 16
let next = ref 0

let kv_storage : H.storage =
  {
    open_file =
      (fun key mode ->
        match mode with
        | H.Read when not (Hashtbl.mem store key) -> Error H.No_such_file
        | H.Read -> incr next; Hashtbl.replace handles !next (key, ref 0, None); Ok !next
        | H.Write | H.Append ->
            let b = Buffer.create 64 in
            if mode = H.Append then Buffer.add_string b (Option.value ~default:"" (Hashtbl.find_opt store key));
            incr next;
            Hashtbl.replace handles !next (key, ref 0, Some b);
            Ok !next);
    read =
      (fun h n ->
        match Hashtbl.find_opt handles h with
        | Some (key, pos, None) ->
            let data = Hashtbl.find store key in
            let k = min n (String.length data - !pos) in
            let s = String.sub data !pos k in
            pos := !pos + k;
            Ok s
        | _ -> Error H.Invalid_argument);
    write =
      (fun h s -> match Hashtbl.find_opt handles h with Some (_, _, Some b) -> Buffer.add_string b s; Ok (String.length s) | _ -> Error H.Invalid_argument);
    seek = (fun h off -> match Hashtbl.find_opt handles h with Some (_, pos, None) -> pos := off; Ok () | _ -> Error H.Not_supported);
    size = (fun h -> match Hashtbl.find_opt handles h with Some (key, _, None) -> Ok (String.length (Hashtbl.find store key)) | Some (_, _, Some b) -> Ok (Buffer.length b) | None -> Error H.Invalid_argument);
    close =
      (fun h ->
        match Hashtbl.find_opt handles h with
        | Some (key, _, Some b) -> Hashtbl.replace store key (Buffer.contents b); Hashtbl.remove handles h; Ok ()
        | Some _ -> Hashtbl.remove handles h; Ok ()
        | None -> Error H.Invalid_argument);
    remove = (fun key -> if Hashtbl.mem store key then (Hashtbl.remove store key; Ok ()) else Error H.No_such_file);
    exists = (fun key -> Hashtbl.mem store key);
    list = (fun _ -> Ok (List.sort compare (Hashtbl.fold (fun k _ acc -> k :: acc) store [])));
  }

let program =
  {|
(define (count-words file)
  (call-with-input-file file
    (lambda (p)
      (let loop ((n 0) (in-word #f))
        (let ((c (read-char p)))
          (cond ((eof-object? c) (if in-word (+ n 1) n))
                ((char-whitespace? c) (loop (if in-word (+ n 1) n) #f))
                (else (loop n #t))))))))
(call-with-output-file "report"
  (lambda (p) (write (list 'words (count-words "poem")) p)))
(with-output-to-file "log" (lambda () (display "counted")))
(list (file-exists? "report") (file-exists? "nothing"))
|}

let () =
  Hashtbl.replace store "poem" "so much depends\nupon a red wheel barrow\n";
  let host = { (Pith_unix.host ()) with storage = Some kv_storage; features = "ocaml kvstore" } in
  let vm = match Pith.open_vm host with Ok vm -> vm | Error e -> failwith (Pith.error_to_string e) in
  let r = Pith.eval_exn vm program in
  Printf.printf "program returned %s\n" (Pith.write_string r);
  Printf.printf "the store now holds: %s\n" (String.concat ", " (List.map (fun k -> k ^ "=" ^ String.escaped (Hashtbl.find store k)) (List.sort compare (Hashtbl.fold (fun k _ a -> k :: a) store []))));
  Pith.close vm
