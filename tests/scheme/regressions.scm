;;; regressions.scm -- bugs found in review, kept fixed.  Most of them
;;; showed only when a collection moved objects at the wrong moment, so
;;; this file matters most in the sanitizer pass (a collection at every
;;; allocation).

(define (scaled n) (if (get-environment-variable "PITH_TEST_SCALE") (quotient n 10) n))

(test-group "collector"
  ;; continuation called with several values while the stack segment moves
  (test "values through a continuation" 'ok
        (let loop ((i 0))
          (if (< i (scaled 3000))
              (begin
                (call-with-values (lambda () (call/cc (lambda (k) (k i (list i)))))
                  (lambda (a b) (if (not (= a (car b))) (error "mismatch" a b))))
                (loop (+ i 1)))
              'ok)))
  ;; a global first referenced while the environment's table grows
  (test "unbound global created while the table grows" 'unbound-variable
        (guard (e (#t (condition-kind e)))
          (eval '(begin (define rg-p #f)
                        (define rg1 1) (define rg2 1) (define rg3 1) (define rg4 1) (define rg5 1)
                        (define rg6 1) (define rg7 1) (define rg8 1) (define rg9 1) (define rg10 1)
                        (set! rg-p (lambda () rg-zzz))
                        (rg-p))
                (interaction-environment))))
  (test "interning many symbols" #t
        (let loop ((i 0))
          (if (= i (scaled 5000))
              #t
              (let ((s (string->symbol (string-append "rg-sym-" (number->string i)))))
                (and (symbol? s) (string=? (symbol->string s) (string-append "rg-sym-" (number->string i)))
                     (loop (+ i 1)))))))
  (test-assert "polar syntax in a fresh string"
        (let ((z (string->number (string-copy "1.5@2.5"))))
          (and (complex? z) (< (abs (- (magnitude z) 1.5)) 1e-12) (< (abs (- (angle z) 2.5)) 1e-12))))
  (test "output strings of 100000 characters" 'ok
        (let ((piece (make-string 100000 #\a)))
          (let loop ((i 0))
            (if (< i (scaled 50))
                (let ((p (open-output-string)))
                  (write-string piece p)
                  (if (not (string=? (get-output-string p) piece)) (error "corrupted"))
                  (loop (+ i 1)))
                'ok))))
  (test "returning through a call/cc segment from deep frames" 42
        (let ()
          (define (g x) (length (list x 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30
                                      31 32 33 34 35 36 37 38 39 40 (call/cc (lambda (k) 1)))))
          (define (deep n) (if (= n 0) (g 1) (+ 0 (deep (- n 1)))))
          (deep 200))))

(test-group "errors"
  (test "a circular irritant list does not hang the report" #t
        (string? (condition/report-string
                  (guard (e (#t (let ((l (error-object-irritants e))) (set-cdr! l l)) e))
                    (error "boom" 1 2)))))
  (test "lcm of a huge flonum" 9.3e18 (lcm -9.3e18 2))
  (test-error-kind "\\x escape of more than 8 digits" read-error
                   (read (open-input-string "\"\\x100000041;\""))))

(test-group "continuations"
  (test "call/cc in a loop runs in constant space" 'done
        (let ()
          (define (f n) (if (= n 0) 'done (call/cc (lambda (k) (f (- n 1))))))
          (f (scaled 200000))))
  (test "a top-level continuation continues with the rest" '(1 2 3)
        (let ((out '()))
          (eval '(define rg-k #f) (interaction-environment))
          (let ((n (call/cc (lambda (k) (set! rg-k k) 1))))
            (set! out (cons n out))
            (if (< n 3) (rg-k (+ n 1))))
          (reverse out)))
  (test "re-entering a continuation under a frame that reserves many slots" '(1999001 1999001 1999001)
        ;; the caller's frame (2000 pushed arguments) is far bigger than the
        ;; frame on top of the continuation; resuming used to size the new
        ;; stack segment for the top frame only, and the caller overflowed it
        (let ((env (interaction-environment)))
          (eval '(define rg-k2 #f) env)
          (eval '(define (rg-f) (+ 0 (call/cc (lambda (c) (set! rg-k2 c) 1)))) env)
          (eval (list 'define '(rg-g) (cons 'list (cons '(rg-f) (let loop ((i 1999) (l '())) (if (< i 0) l (loop (- i 1) (cons i l))))))) env)
          (eval '(define rg-sums '()) env)
          (eval '(let ((s (apply + (rg-g))))
                   (set! rg-sums (cons s rg-sums))
                   (if (< (length rg-sums) 3) (rg-k2 1)))
                env)
          (eval 'rg-sums env)))
  (test "map does not mutate an earlier result" '((1 2 3) (1 10 3))
        (let* ((k #f) (results '())
               (r (map (lambda (x) (if (= x 2) (call/cc (lambda (c) (set! k c) x)) x)) '(1 2 3))))
          (set! results (cons r results))
          (if (= (length results) 1) (k 10))
          (reverse results))))

(test-group "circular data in code"
  ;; the expander's syntax->datum used to loop forever on these
  (test-assert "quoted circular list" (let ((x '#0=(a b . #0#))) (eq? x (cddr x))))
  (test-assert "quoted circular vector" (let ((v '#1=#(1 #1#))) (eq? v (vector-ref v 1))))
  (test "circular list inside a vector literal" 'x (let ((v '#(#2=(x . #2#)))) (car (cdr (vector-ref v 0)))))
  (test "circular code is a syntax error" 'syntax-error
        (guard (e (#t (condition-kind e))) (eval '#3=(list 1 #3#) (interaction-environment))))
  (test "circular argument list is a syntax error" 'syntax-error
        (guard (e (#t (condition-kind e))) (eval '#4=(list 1 . #4#) (interaction-environment)))))
