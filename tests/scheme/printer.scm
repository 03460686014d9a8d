;;; printer.scm -- write, display, write-shared and write-simple (R7RS
;;; 6.13.3) of every type.
;;;
;;; SPDX-License-Identifier: MIT

(define (w x) (call-with-output-string (lambda (p) (write x p))))
(define (d x) (call-with-output-string (lambda (p) (display x p))))
(define (ws x) (call-with-output-string (lambda (p) (write-shared x p))))
(define (wsimple x) (call-with-output-string (lambda (p) (write-simple x p))))
;; The sanitizer pass of `make test` sets PITH_TEST_SCALE=small (and
;; collects at every allocation): heavy tests use (scaled n small) sizes.
(define (scaled n small)
  (if (equal? (get-environment-variable "PITH_TEST_SCALE") "small") small n))
(define big/10 (scaled 100000 1000))
(define (rd s) (read (open-input-string s)))
(define (chars->string . codes) (list->string (map integer->char codes)))

(define (prefix? pre s)
  (and (<= (string-length pre) (string-length s))
       (string=? pre (substring s 0 (string-length pre)))))

(define (contains? s sub)
  (let ((n (string-length s)) (m (string-length sub)))
    (let loop ((i 0))
      (cond ((> (+ i m) n) #f)
            ((string=? sub (substring s i (+ i m))) #t)
            (else (loop (+ i 1)))))))

(test-group "numbers"
  (test "zero" "0" (w 0))
  (test "positive integer" "42" (w 42))
  (test "negative integer" "-7" (w -7))
  (test "large integer" "1000000016000000063" (w (* 1000000007 1000000009)))
  (test "decimal" "3.5" (w 3.5))
  (test "negative decimal" "-0.25" (w -0.25))
  (test "0.1 uses the fewest digits" "0.1" (w 0.1))
  (test "1/3 as a flonum round-trips" #t (= (/ 1. 3) (rd (w (/ 1. 3)))))
  (test "inexact integer keeps a decimal point" #t (contains? (w 100.) "."))
  (test "inexact integer reads back inexact" #t (let ((x (rd (w 100.)))) (and (inexact? x) (= x 100))))
  (test "1e21 round-trips" #t (= 1e21 (rd (w 1e21))))
  (test "1e-7 round-trips" #t (= 1e-7 (rd (w 1e-7))))
  (test "-0.0" "-0.0" (w (- 0.0)))
  (test "+inf.0" "+inf.0" (w (/ 1. 0)))
  (test "-inf.0" "-inf.0" (w (/ -1. 0)))
  (test "+nan.0" "+nan.0" (w (let ((inf (/ 1. 0))) (- inf inf))))
  (test "display of a number" "12" (d 12))
  (test "display of a decimal" "2.5" (d 2.5))
  (test "number->string agrees with write" (number->string 123.75) (w 123.75)))

(test-group "strings"
  (test "plain string" "\"abc\"" (w "abc"))
  (test "empty string" "\"\"" (w ""))
  (test "newline and quote escaped" "\"a\\nb\\\"\"" (w "a\nb\""))
  (test "backslash escaped" "\"a\\\\b\"" (w "a\\b"))
  (test "tab written readably" #t (and (member (w (chars->string 9)) (list "\"\\t\"" (string #\" (integer->char 9) #\"))) #t))
  (test "control characters round-trip" (chars->string 0 7 8 9 10 13 27 127)
        (rd (w (chars->string 0 7 8 9 10 13 27 127))))
  (test "non-ASCII string round-trips" (chars->string 955 233 #x1F600)
        (rd (w (chars->string 955 233 #x1F600))))
  (test "bar in a string round-trips" "a|b" (rd (w "a|b")))
  (test "strings with every character below 1000 round-trip" '()
        (let loop ((i 0) (bad '()))
          (if (= i 1000)
              (reverse bad)
              (let ((s (string #\a (integer->char i) #\b)))
                (loop (+ i 1) (if (equal? s (rd (w s))) bad (cons i bad)))))))
  (test "display writes the characters" (chars->string 97 10 98 34) (d "a\nb\""))
  (test "display of the empty string" "" (d ""))
  (test "string in a list is escaped by write" "(\"a\" \"b\\\"\")" (w (list "a" "b\"")))
  (test "string in a list is bare with display" "(a b\")" (d (list "a" "b\""))))

(test-group "characters"
  (test "#\\a" "#\\a" (w #\a))
  (test "#\\Z" "#\\Z" (w #\Z))
  (test "#\\space" "#\\space" (w #\space))
  (test "#\\newline" "#\\newline" (w #\newline))
  (test "#\\tab" "#\\tab" (w #\tab))
  (test "#\\x0 is #\\null" "#\\null" (w (integer->char 0)))
  (test "#\\x7f is #\\delete" "#\\delete" (w (integer->char 127)))
  (test "#\\alarm" "#\\alarm" (w (integer->char 7)))
  (test "#\\backspace" "#\\backspace" (w (integer->char 8)))
  (test "#\\escape" "#\\escape" (w (integer->char 27)))
  (test "#\\return" "#\\return" (w (integer->char 13)))
  (test "#\\(" "#\\(" (w #\())
  (test "#\\\\" "#\\\\" (w #\\))
  (test "other control characters round-trip" (integer->char 1) (rd (w (integer->char 1))))
  (test "#\\λ round-trips" (integer->char 955) (rd (w (integer->char 955))))
  (test "every character below 1000 round-trips" '()
        (let loop ((i 0) (bad '()))
          (if (= i 1000)
              (reverse bad)
              (loop (+ i 1) (if (and (not (<= #xD800 i #xDFFF))
                                     (not (equal? (integer->char i) (rd (w (integer->char i))))))
                                (cons i bad)
                                bad)))))
  (test "display of a character" "a" (d #\a))
  (test "display of #\\space" " " (d #\space))
  (test "display of #\\newline" (chars->string 10) (d #\newline))
  (test "characters in a list" "(#\\a #\\space)" (w (list #\a #\space)))
  (test "characters in a list with display" "(a  )" (d (list #\a #\space))))

(test-group "symbols"
  (test "plain symbol" "abc" (w 'abc))
  (test "case is kept" "FooBar" (w (string->symbol "FooBar")))
  (test "peculiar identifiers need no bars" "(+ - ... ->x)" (w '(+ - ... ->x)))
  (test "symbol with a space" "|hello world|" (w (string->symbol "hello world")))
  (test "empty symbol" "||" (w (string->symbol "")))
  (test "symbol that looks like a number" "|1|" (w (string->symbol "1")))
  (test "display of a symbol with a space" "hello world" (d (string->symbol "hello world")))
  (test "display of the empty symbol" "" (d (string->symbol "")))
  (test "symbols with a non-ASCII character are written with bars" (string #\| (integer->char 955) #\|)
        (w (string->symbol (string (integer->char 955)))))
  (test "one-character symbols below 1000 round-trip" '()
        (let loop ((i 1) (bad '()))
          (if (= i 1000)
              (reverse bad)
              (let ((s (string->symbol (string (integer->char i)))))
                (loop (+ i 1) (if (eq? s (guard (e (#t #f)) (rd (w s)))) bad (cons i bad)))))))
  (test "awkward symbols round-trip"
        '()
        (let loop ((names (list "hello world" "" "1" "+1" "-2.5" "." "a|b" "a\\b" "(" ")" "#foo"
                                "a;b" "'q" "\"" "x y z" (chars->string 9) (chars->string 97 10)
                                "ABC" "+inf.0" "1e3" "#t"))
                   (bad '()))
          (if (null? names)
              (reverse bad)
              (let ((s (string->symbol (car names))))
                (loop (cdr names)
                      (if (eq? s (rd (w s))) bad (cons (car names) bad))))))))

(test-group "lists and vectors"
  (test "empty list" "()" (w '()))
  (test "list" "(1 2 3)" (w '(1 2 3)))
  (test "nested list" "((a) (b c) ())" (w '((a) (b c) ())))
  (test "dotted pair" "(1 . 2)" (w '(1 . 2)))
  (test "improper list" "(1 2 . 3)" (w '(1 2 . 3)))
  (test "pair with a list cdr is a list" "(a b c)" (w (cons 'a '(b c))))
  (test "dotted pair in a list" "(a (b . c))" (w '(a (b . c))))
  (test "vector" "#(1 \"a\" #\\b)" (w (vector 1 "a" #\b)))
  (test "display of a vector" "#(1 a b)" (d (vector 1 "a" #\b)))
  (test "empty vector" "#()" (w (vector)))
  (test "nested vector" "#(#(1) (2))" (w (vector (vector 1) (list 2))))
  (test "bytevector" "#u8(1 2 255)" (w (bytevector 1 2 255)))
  (test "empty bytevector" "#u8()" (w (bytevector)))
  (test "display of a bytevector" "#u8(0 16)" (d (bytevector 0 16)))
  ;; "(0 0 ... 0)"; "(((...())))"; "#(#(...#()))"
  (test "long list" (+ (* 2 big/10) 1) (string-length (w (make-list big/10 0))))
  (test "deeply nested list" (+ (* 2 big/10) 2)
        (string-length (w (let loop ((i 0) (x '()))
                            (if (= i big/10) x (loop (+ i 1) (list x)))))))
  (test "deeply nested vector" (+ (* 3 big/10) 3)
        (string-length (w (let loop ((i 0) (x '#()))
                            (if (= i big/10) x (loop (+ i 1) (vector x))))))))

(test-group "quote forms"
  (test "quote" "(quote a)" (w ''a))
  (test "quote of a list" "(quote (1 2))" (w ''(1 2)))
  (test "nested quotes" "(quote (quote a))" (w '''a))
  (test "quasiquote, unquote, unquote-splicing"
        "(quasiquote (a (unquote b) (unquote-splicing c)))" (w '`(a ,b ,@c)))
  (test "quote read back" ''a (rd (w ''a))))

(test-group "other objects"
  (test "#t" "#t" (w #t))
  (test "#f" "#f" (w #f))
  (test "#true writes as #t" "#t" (w #true))
  (test "display of booleans" "#t #f" (string-append (d #t) " " (d #f)))
  (test "named procedure" "#<procedure printer-test-proc>"
        (let () (define (printer-test-proc x) x) (w printer-test-proc)))
  (test "primitive procedure" "#<procedure car>" (w car))
  (test "anonymous procedure" #t (prefix? "#<procedure" (w (lambda (x) x))))
  (test "display of a procedure" #t (prefix? "#<procedure" (d car)))
  (test "eof object" #t (prefix? "#<" (w (eof-object))))
  (test "record" #t (let ()
                      (define-record-type printer-point (make-printer-point x y) printer-point?
                        (x printer-point-x) (y printer-point-y))
                      (let ((s (w (make-printer-point 1 2))))
                        (and (prefix? "#<" s) (contains? s "printer-point")))))
  (test "port" #t (prefix? "#<" (w (open-input-string "")))))

(test-group "cycles and sharing"
  (test "circular list" "#0=(1 . #0#)"
        (let ((x (list 1))) (set-cdr! x x) (w x)))
  (test "longer circular list" "#0=(a b c . #0#)"
        (let ((x (list 'a 'b 'c))) (set-cdr! (cddr x) x) (w x)))
  (test "circular car" "#0=(#0# 2)"
        (let ((x (list 1 2))) (set-car! x x) (w x)))
  (test "circular vector" "#0=#(#0# 2)"
        (let ((v (vector 1 2))) (vector-set! v 0 v) (w v)))
  (test "cycle inside a list" "(x . #0=(1 2 . #0#))"
        (let ((c (list 1 2))) (set-cdr! (cdr c) c) (w (cons 'x c))))
  (test "cycle through a vector" "#0=(#(#0#))"
        (let* ((v (vector 1)) (l (list v))) (vector-set! v 0 l) (w l)))
  (test "write uses no labels without cycles" "((1 2) (1 2))"
        (let ((a (list 1 2))) (w (list a a))))
  (test "write of a cyclic list reads back circular" #t
        (let ((x (list 1 2)))
          (set-cdr! (cdr x) x)
          (let ((y (rd (w x))))
            (and (= 1 (car y)) (= 2 (cadr y)) (eq? y (cddr y))))))
  (test "display of a circular list terminates" #t
        (let ((x (list 1 2))) (set-cdr! (cdr x) x) (string? (d x))))
  (test "display of a circular vector terminates" #t
        (let ((v (vector 1 2))) (vector-set! v 1 v) (string? (d v))))
  (test "write-shared labels shared structure" "(#0=(1 2) #0#)"
        (let ((a (list 1 2))) (ws (list a a))))
  (test "write-shared of a shared vector" "(#0=#(x) . #0#)"
        (let ((v (vector 'x))) (ws (cons v v))))
  (test "write-shared numbers labels in order" "(#0=(1) #1=(2) #0# #1#)"
        (let ((a (list 1)) (b (list 2))) (ws (list a b a b))))
  (test "write-shared without sharing" "(1 (2) #(3))" (ws (list 1 (list 2) (vector 3))))
  (test "write-shared of a cycle" "#0=(1 . #0#)"
        (let ((x (list 1))) (set-cdr! x x) (ws x)))
  (test "write-simple of acyclic data" "(1 \"a\" #\\b #(c) (d . e))"
        (wsimple (list 1 "a" #\b (vector 'c) (cons 'd 'e))))
  (test "write-simple repeats shared structure" "((1 2) (1 2))"
        (let ((a (list 1 2))) (wsimple (list a a)))))

(test-group "ports and current output"
  (test "with-output-to-string" "a \"b\"#\\c"
        (with-output-to-string (lambda () (write 'a) (display " ") (write "b") (write #\c))))
  (test "write-string, write-char and newline" (chars->string 104 105 33 10)
        (call-with-output-string
         (lambda (p) (write-string "hi" p) (write-char #\! p) (newline p))))
  (test "open-output-string accumulates" "(1 2)3"
        (let ((p (open-output-string)))
          (write '(1 2) p)
          (display 3 p)
          (get-output-string p)))
  (test "write-string with start and end" "ell"
        (call-with-output-string (lambda (p) (write-string "hello" p 1 4)))))

;; get-output-string must survive a collection while it builds its result:
;; 20000 of them with other allocation in between, so that collections
;; (minor and major) happen during the copy.  A wrong result here means the
;; result was built from a buffer the collector had moved.
(test-group "string ports under allocation"
  (test "get-output-string of 1000 characters, many times" 0
        (let ((piece (make-string 1000 #\a)) (reps (scaled 20000 2000)))
          (let loop ((i 0) (bad 0) (junk '()))
            (if (= i reps)
                bad
                (let ((p (open-output-string)))
                  (write-string piece p)
                  (let ((s (get-output-string p)))
                    (loop (+ i 1)
                          (if (string=? s piece) bad (+ bad 1))
                          (if (> (length junk) 50) '() (cons (make-vector 10 i) junk))))))))))
