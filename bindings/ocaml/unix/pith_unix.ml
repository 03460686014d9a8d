(* pith_unix.ml -- a Pith host made of the Unix process's resources: stdin,
   stdout and stderr as the console, the system clocks, and the file system
   as storage.  Not for a unikernel (it uses Unix); a MirageOS host builds
   the same record from its own devices (docs/ocaml.md).
   SPDX-License-Identifier: MIT *)
module H = Pith.Host

let io f = try Ok (f ()) with
  | Unix.Unix_error ((Unix.EAGAIN | Unix.EWOULDBLOCK | Unix.EINTR), _, _) -> Error H.Again
  | Unix.Unix_error (Unix.ENOENT, _, _) -> Error H.No_such_file
  | Unix.Unix_error ((Unix.EACCES | Unix.EPERM), _, _) -> Error H.Permission_denied
  | Unix.Unix_error (Unix.EEXIST, _, _) -> Error H.Already_exists
  | Unix.Unix_error (Unix.EISDIR, _, _) -> Error H.Is_a_directory
  | Unix.Unix_error (Unix.ENOSPC, _, _) -> Error H.No_space
  | Unix.Unix_error ((Unix.EMFILE | Unix.ENFILE), _, _) -> Error H.Too_many_open
  | Unix.Unix_error (_, _, _) -> Error H.Io_error

let files : (int, Unix.file_descr) Hashtbl.t = Hashtbl.create 16
let next = ref 0

let fd h = match Hashtbl.find_opt files h with Some f -> f | None -> raise (Unix.Unix_error (Unix.EBADF, "", ""))

let storage : H.storage =
  {
    open_file =
      (fun name mode ->
        io (fun () ->
            let flags =
              match mode with
              | H.Read -> [ Unix.O_RDONLY ]
              | H.Write -> [ Unix.O_WRONLY; Unix.O_CREAT; Unix.O_TRUNC ]
              | H.Append -> [ Unix.O_WRONLY; Unix.O_CREAT; Unix.O_APPEND ]
            in
            if mode = H.Read && (Unix.stat name).Unix.st_kind = Unix.S_DIR then raise (Unix.Unix_error (Unix.EISDIR, "", ""));
            let f = Unix.openfile name flags 0o644 in
            incr next;
            Hashtbl.replace files !next f;
            !next));
    read =
      (fun h n ->
        io (fun () ->
            let b = Bytes.create (min n 65536) in
            let k = Unix.read (fd h) b 0 (Bytes.length b) in
            Bytes.sub_string b 0 k));
    write = (fun h s -> io (fun () -> Unix.write_substring (fd h) s 0 (String.length s)));
    seek = (fun h off -> io (fun () -> ignore (Unix.lseek (fd h) off Unix.SEEK_SET)));
    size = (fun h -> io (fun () -> (Unix.fstat (fd h)).Unix.st_size));
    close = (fun h -> io (fun () -> Unix.close (fd h); Hashtbl.remove files h));
    remove = (fun name -> io (fun () -> Unix.unlink name));
    exists = (fun name -> Sys.file_exists name);
    list = (fun dir -> io (fun () -> Array.to_list (Sys.readdir (if dir = "" then "." else dir))));
  }

let host ?(args = [ Sys.executable_name ]) ?(env = []) ?(interactive = false) () : H.t =
  let t0 = Unix.gettimeofday () in
  {
    console_write =
      (fun stream s ->
        let oc = if stream = H.Err then stderr else stdout in
        output_string oc s;
        flush oc;
        Ok (String.length s));
    console_read =
      (fun n ->
        match
          io (fun () ->
              let b = Bytes.create (min n 4096) in
              let k = Unix.read Unix.stdin b 0 (Bytes.length b) in
              Bytes.sub_string b 0 k)
        with
        | Ok "" -> Error H.End_of_input
        | r -> r);
    interactive;
    monotonic_ns =
      (let last = ref 0L in
       fun () ->
         (* OCaml's Unix has no monotonic clock: the time of day, never
            allowed to go backwards *)
         let t = Int64.of_float ((Unix.gettimeofday () -. t0) *. 1e9) in
         if Int64.compare t !last > 0 then last := t;
         !last);
    wall_ns = (fun () -> Int64.of_float (Unix.gettimeofday () *. 1e9));
    args;
    env;
    storage = Some storage;
    wait = Some (fun deadline ->
        let now = Unix.gettimeofday () -. t0 in
        let secs = match deadline with None -> 0.01 | Some d -> max 0. (Int64.to_float d /. 1e9 -. now) in
        ignore (Unix.select [ Unix.stdin ] [] [] (min secs 0.05)));
    features = "ocaml unix";
  }
