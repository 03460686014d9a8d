;;; ports.scm -- ports (R7RS 6.13): string, bytevector and file ports,
;;; textual and binary, the standard ports as parameters, errors on closed
;;; and wrong-kind ports, buffering across chunk boundaries (UTF-8 split
;;; between reads), file-error? conditions, and ports that become garbage
;;; giving back their host handles.  Expected values follow the report.
;;; The sanitizer pass sets PITH_TEST_SCALE=small: the big file shrinks.
;;; SPDX-License-Identifier: MIT

(define (%ports-scale n small)
  (if (equal? (get-environment-variable "PITH_TEST_SCALE") "small") small n))
(define %tmp-dir (or (get-environment-variable "TMPDIR") "/tmp"))
(define %tmp-counter 0)
(define (tmp-file)
  (set! %tmp-counter (+ %tmp-counter 1))
  (string-append %tmp-dir "/pith-ports-test-" (number->string (current-jiffy)) "-"
                 (number->string %tmp-counter)))
(define %tmp-files '())
(define (new-tmp) (let ((f (tmp-file))) (set! %tmp-files (cons f %tmp-files)) f))

(test-group "string ports"
  (define p (open-input-string "héllo (1 2) wörld\nline 2\n\nlast"))
  (test "read-char" #\h (read-char p))
  (test "peek-char does not consume" #\é (peek-char p))
  (test "read-char after peek" #\é (read-char p))
  (test "read-string" "llo " (read-string 4 p))
  (test "read a datum" '(1 2) (read p))
  (test "read-line takes the rest of the line" " wörld" (read-line p))
  (test "read-line" "line 2" (read-line p))
  (test "read-line of an empty line" "" (read-line p))
  (test "read-line without a final newline" "last" (read-line p))
  (test-assert "eof after the end" (eof-object? (read-line p)))
  (test-assert "read-char at eof" (eof-object? (read-char p)))
  (test-assert "peek-char at eof" (eof-object? (peek-char p)))
  (test-assert "read-string at eof" (eof-object? (read-string 3 p)))
  (test "read-string 0" "" (read-string 0 (open-input-string "abc")))
  (test "read-string past the end" "ab" (read-string 10 (open-input-string "ab")))
  (test-assert "char-ready? on a string port" (char-ready? (open-input-string "")))
  (define o (open-output-string))
  (write 'sym o) (write-char #\space o) (write "s\"q" o) (display #\λ o) (write-string "xyz" o 1 2)
  (test "output string" "sym \"s\\\"q\"λy" (get-output-string o))
  (test "get-output-string again" "sym \"s\\\"q\"λy" (get-output-string o))
  (test "newline" "a\n" (let ((o (open-output-string))) (display "a" o) (newline o) (get-output-string o)))
  (test "a long output string" 100000
        (let ((o (open-output-string)))
          (do ((i 0 (+ i 1))) ((= i 10000)) (write-string "0123456789" o))
          (string-length (get-output-string o))))
  (test "a wide character after Latin-1 ones" "aé€𝄞"
        (let ((o (open-output-string))) (for-each (lambda (c) (write-char c o)) (string->list "aé€𝄞")) (get-output-string o))))

(test-group "bytevector ports"
  (define ip (open-input-bytevector (bytevector 10 20 30 40 50)))
  (test "read-u8" 10 (read-u8 ip))
  (test "peek-u8" 20 (peek-u8 ip))
  (test "read-bytevector" (bytevector 20 30) (read-bytevector 2 ip))
  (test "read-bytevector past the end" (bytevector 40 50) (read-bytevector 10 ip))
  (test-assert "read-u8 at eof" (eof-object? (read-u8 ip)))
  (test-assert "peek-u8 at eof" (eof-object? (peek-u8 ip)))
  (test-assert "read-bytevector at eof" (eof-object? (read-bytevector 3 ip)))
  (test-assert "u8-ready?" (u8-ready? (open-input-bytevector (bytevector))))
  (test "the port copies its bytevector" 1
        (let* ((bv (bytevector 1 2)) (p (open-input-bytevector bv)))
          (bytevector-u8-set! bv 0 99)
          (read-u8 p)))
  (define bv (make-bytevector 6 0))
  (define ip2 (open-input-bytevector (bytevector 1 2 3 4)))
  (test "read-bytevector! count" 3 (read-bytevector! bv ip2 2 5))
  (test "read-bytevector! contents" (bytevector 0 0 1 2 3 0) bv)
  (test "read-bytevector! the rest" 1 (read-bytevector! bv ip2))
  (test "read-bytevector! default range" (bytevector 4 0 1 2 3 0) bv)
  (test-assert "read-bytevector! at eof" (eof-object? (read-bytevector! bv ip2)))
  (test "read-bytevector! of an empty range" 0 (read-bytevector! bv (open-input-bytevector (bytevector 1)) 2 2))
  (test-error "read-bytevector! bad range" (read-bytevector! bv (open-input-bytevector (bytevector 1)) 4 2))
  (define op (open-output-bytevector))
  (write-u8 1 op) (write-bytevector (bytevector 2 3 4 5) op 1 3)
  (test "output bytevector" (bytevector 1 3 4) (get-output-bytevector op))
  (test "utf-8 through a bytevector port" "λ→"
        (utf8->string (let ((o (open-output-bytevector))) (write-bytevector (string->utf8 "λ→") o) (get-output-bytevector o))))
  (test-error "write-u8 of 256" (write-u8 256 (open-output-bytevector)))
  (test-error "write-u8 of a character" (write-u8 #\a (open-output-bytevector))))

(test-group "kinds and errors"
  (define sp (open-input-string "x"))
  (define bp (open-input-bytevector (bytevector 1)))
  (test "predicates" '(#t #f #t #f #t #f #t)
        (list (input-port? sp) (output-port? sp) (textual-port? sp) (binary-port? sp)
              (binary-port? bp) (textual-port? bp) (port? (open-output-string))))
  (test-assert "eof-object" (eof-object? (eof-object)))
  (test "port? of non-ports" '(#f #f) (list (port? "x") (port? 1)))
  (test-error "read-char from a binary port" (read-char bp))
  (test-error "read-u8 from a textual port" (read-u8 sp))
  (test-error "write-char to an input port" (write-char #\a sp))
  (test-error "write-u8 to a textual port" (write-u8 1 (open-output-string)))
  (test-error "get-output-string of a bytevector port" (get-output-string (open-output-bytevector)))
  (test-error "read-string with a negative count" (read-string -1 (open-input-string "a")))
  (test "input-port-open?" #t (input-port-open? sp))
  (close-port sp)
  (test "closed: input-port-open?" #f (input-port-open? sp))
  (test-error "read-char from a closed port" (read-char sp))
  (test "close-port twice is harmless" 'ok (begin (close-port sp) 'ok))
  (define out (open-output-string))
  (close-output-port out)
  (test "closed: output-port-open?" #f (output-port-open? out))
  (test-error "write to a closed port" (write-char #\a out))
  (test-error "close-input-port of an output port" (close-input-port (open-output-string)))
  (test "call-with-port closes the port" #f
        (let ((p (open-input-string "abc")))
          (call-with-port p read-char)
          (input-port-open? p)))
  (test "call-with-port returns the values" '(1 2)
        (call-with-values (lambda () (call-with-port (open-input-string "") (lambda (p) (values 1 2)))) list)))

(test-group "the standard ports are parameters"
  (test "with-output-to-string style" "hi 42"
        (let ((o (open-output-string)))
          (parameterize ((current-output-port o)) (display "hi ") (write 42))
          (get-output-string o)))
  (test "current-input-port" '(a b)
        (parameterize ((current-input-port (open-input-string "a b"))) (list (read) (read))))
  (test "read-char from current-input-port" #\z
        (parameterize ((current-input-port (open-input-string "z"))) (read-char)))
  (test "read-line from current-input-port" "one"
        (parameterize ((current-input-port (open-input-string "one\ntwo"))) (read-line)))
  (test-error "current-output-port rejects a non-port" (parameterize ((current-output-port 5)) 1))
  (test-error "current-output-port rejects an input port"
              (parameterize ((current-output-port (open-input-string ""))) 1))
  (test "parameterize restores the port on escape" #t
        (let ((before (current-output-port)))
          (call/cc (lambda (k) (parameterize ((current-output-port (open-output-string))) (k 1))))
          (eq? before (current-output-port)))))

(test-group "files"
  (define f (new-tmp))
  (test "file-exists? before" #f (file-exists? f))
  (call-with-output-file f
    (lambda (p) (write '(a "b" 3.5) p) (newline p) (display "λx line2" p) (newline p)))
  (test "file-exists? after" #t (file-exists? f))
  (test "read back" '((a "b" 3.5) #\newline "λx line2")
        (call-with-input-file f (lambda (p) (let* ((d (read p)) (c (read-char p)) (l (read-line p))) (list d c l)))))
  (test "binary view of the same file" (string->utf8 "(a \"b\" 3.5)\nλx line2\n")
        (call-with-port (open-binary-input-file f) (lambda (p) (read-bytevector 1000 p))))
  (with-output-to-file f (lambda () (display "x") (display 42)))
  (test "with-output-to-file truncates" "x42" (with-input-from-file f read-line))
  (test "with-input-from-file restores the port" #t
        (let ((before (current-input-port))) (with-input-from-file f read-char) (eq? before (current-input-port))))
  (test "peek, char-ready?, read-string" '(#\x #\4 #t "42" #t)
        (call-with-input-file f
          (lambda (p) (list (read-char p) (peek-char p) (char-ready? p) (read-string 10 p) (eof-object? (read-char p))))))
  (define b (new-tmp))
  (let ((p (open-binary-output-file b)))
    (write-u8 0 p) (write-bytevector (bytevector 1 2 255) p) (flush-output-port p)
    (close-port p))
  (test "binary file" (bytevector 0 1 2 255)
        (let* ((p (open-binary-input-file b)) (v (read-bytevector 10 p))) (close-port p) v))
  (test "read-u8, peek-u8, u8-ready?" '(0 1 #t 1)
        (let* ((p (open-binary-input-file b)) (r (list (read-u8 p) (peek-u8 p) (u8-ready? p) (read-u8 p)))) (close-port p) r))
  (delete-file b)
  (test "delete-file" #f (file-exists? b))
  (test-assert "opening a missing file is a file-error"
               (guard (e ((file-error? e) #t)) (open-input-file (string-append f "-missing")) #f))
  (test-assert "the message names the file"
               (guard (e ((file-error? e) (member (string-append f "-missing") (error-object-irritants e))))
                 (open-input-file (string-append f "-missing")) #f))
  (test-assert "deleting a missing file is a file-error"
               (guard (e ((file-error? e) #t)) (delete-file (string-append f "-missing")) #f))
  (test-assert "opening a directory for output is a file-error"
               (guard (e ((file-error? e) #t)) (open-output-file %tmp-dir) #f))
  (test-assert "a file-error is not a read-error"
               (guard (e ((read-error? e) #f) ((file-error? e) #t)) (open-input-file (string-append f "-missing"))))
  (test-assert "a read error from a port is read-error?"
               (guard (e ((read-error? e) #t)) (read (open-input-string "(1 . )")) #f))
  (test-assert "an unfinished datum at eof is read-error?"
               (guard (e ((read-error? e) #t)) (read (open-input-string "(1 2")) #f))
  (test-error "open-input-file of a non-string" (open-input-file 'x)))

(test-group "big files and chunk boundaries"
  (define f (new-tmp))
  (define lines (%ports-scale 100000 2000))
  (define line (make-string 99 #\a))
  (call-with-output-file f
    (lambda (p) (do ((i 0 (+ i 1))) ((= i lines)) (write-string line p) (newline p))))
  (test "read-line over a big file" (* lines 100)
        (call-with-input-file f
          (lambda (p) (let loop ((n 0)) (let ((l (read-line p))) (if (eof-object? l) n (loop (+ n (string-length l) 1))))))))
  (test "read-char over a big file" (* lines 100)
        (call-with-input-file f
          (lambda (p) (let loop ((n 0)) (if (eof-object? (read-char p)) n (loop (+ n 1)))))))
  (test "read-string of the whole file" (* lines 100)
        (call-with-input-file f (lambda (p) (string-length (read-string (* lines 200) p)))))
  (test "read-bytevector in chunks" (* lines 100)
        (call-with-port (open-binary-input-file f)
          (lambda (p) (let loop ((n 0)) (let ((bv (read-bytevector 65536 p))) (if (eof-object? bv) n (loop (+ n (bytevector-length bv)))))))))
  ;; multibyte characters straddling every buffer boundary
  (define g (new-tmp))
  (define n-chars (%ports-scale 200000 5000))
  (call-with-output-file g
    (lambda (p) (do ((i 0 (+ i 1))) ((= i n-chars)) (write-char (if (even? i) #\λ #\𝄞) p))))
  (test "multibyte characters across buffers" (list n-chars #t)
        (call-with-input-file g
          (lambda (p) (let loop ((n 0) (ok #t))
                        (let ((c (read-char p)))
                          (if (eof-object? c) (list n ok)
                              (loop (+ n 1) (and ok (char=? c (if (even? n) #\λ #\𝄞))))))))))
  (test "file size in bytes" (* n-chars 3)
        (call-with-port (open-binary-input-file g) (lambda (p) (bytevector-length (read-bytevector (* n-chars 4) p)))))
  ;; invalid UTF-8 in a file: each bad byte reads as U+FFFD
  (define h (new-tmp))
  (call-with-port (open-binary-output-file h) (lambda (p) (write-bytevector (bytevector 97 255 98 206) p)))
  (test "invalid UTF-8 becomes U+FFFD" (list #\a #\xFFFD #\b #\xFFFD)
        (call-with-input-file h (lambda (p) (string->list (read-string 10 p))))))

(test-group "append and flush"
  (define f (new-tmp))
  (call-with-output-file f (lambda (p) (display "abc" p)))
  (test "the file after a write" "abc" (call-with-input-file f read-line)))

(test-group "garbage ports give back their handles"
  ;; more files than the process may have open at once (ulimit -n is
  ;; usually 1024): only works when unreachable ports are closed
  (define f (new-tmp))
  (call-with-output-file f (lambda (p) (display "data" p)))
  (test "opening 3000 files without closing them" 3000
        (let loop ((i 0))
          (if (= i (%ports-scale 3000 3000))
              i
              (let ((p (open-input-file f)))
                (if (char=? (read-char p) #\d) (loop (+ i 1)) i)))))
  (test "an unclosed output port is flushed when collected" "written"
        (let ((g (new-tmp)))
          (let ((p (open-output-file g))) (display "written" p))
          (collect-garbage)
          (call-with-input-file g read-line))))

(for-each (lambda (f) (if (file-exists? f) (delete-file f))) %tmp-files)
