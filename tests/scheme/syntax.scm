;;; syntax.scm -- the expander: derived forms (R7RS 4.2), definitions
;;; (5.3-5.6), syntax-rules and hygiene (4.3), and syntax errors.
;;;
;;; Macros are defined at top level, one per form, so that a macro the
;;; expander cannot handle stops only the tests that use it.  Malformed
;;; forms are expanded with eval, inside the test.
;;;
;;; SPDX-License-Identifier: MIT

;; The sanitizer pass of `make test` sets PITH_TEST_SCALE=small (and
;; collects at every allocation): heavy tests use (scaled n small) sizes.
(define (scaled n small)
  (if (equal? (get-environment-variable "PITH_TEST_SCALE") "small") small n))

(define env (interaction-environment))

(test-group "let forms"
  (test "let" 3 (let ((x 1) (y 2)) (+ x y)))
  (test "let binds in parallel" 1 (let ((x 1)) (let ((x 2) (y x)) y)))
  (test "let body is a sequence" 'last (let ((x 1)) x 'first 'last))
  (test "let with no bindings" 5 (let () 5))
  (test "let*" '(1 2) (let* ((x 1) (y (+ x 1))) (list x y)))
  (test "let* may repeat a name" 3 (let* ((x 1) (x (+ x 1)) (x (+ x 1))) x))
  (test "let* with no bindings" 4 (let* () 4))
  (test "letrec mutual recursion" '(#t #f)
        (letrec ((ev? (lambda (n) (if (= n 0) #t (od? (- n 1)))))
                 (od? (lambda (n) (if (= n 0) #f (ev? (- n 1))))))
          (list (ev? 100) (ev? 7))))
  (test "letrec*" 2 (letrec* ((a 1) (b (+ a 1))) b))
  (test "letrec* lambda refers to a later binding" 2 (letrec* ((f (lambda () g)) (g 2)) (f)))
  (test "named let" 55 (let loop ((i 1) (acc 0)) (if (> i 10) acc (loop (+ i 1) (+ acc i)))))
  (test "named let with no bindings" 7 (let seven () 7))
  (test "named let name is not in scope of the inits" 'outer
        (let ((loop (lambda (x) 'outer))) (let loop ((x (loop 1))) x)))
  (test "named let in a non-tail position" '(6 x) (list (let f ((n 3)) (if (= n 0) 0 (+ n (f (- n 1))))) 'x))
  (test "closures capture each let binding" '(1 2)
        (let ((a 1)) (let ((f (lambda () a))) (let ((a 2)) (list (f) a))))))

(test-group "do"
  (test "do filling a vector" #(0 1 2 3 4)
        (do ((vec (make-vector 5)) (i 0 (+ i 1))) ((= i 5) vec) (vector-set! vec i i)))
  (test "do summing a list" 25
        (let ((x '(1 3 5 7 9))) (do ((x x (cdr x)) (sum 0 (+ sum (car x)))) ((null? x) sum))))
  (test "do with no body" 10 (do ((i 0 (+ i 1))) ((= i 10) i)))
  (test "do result is a sequence" 'b (do ((i 0 (+ i 1))) ((= i 1) 'a 'b)))
  (test "do variable without step" '(5 x) (do ((i 0 (+ i 1)) (k 'x)) ((= i 5) (list i k))))
  (test "do steps are parallel" '(8 13) (do ((i 0 (+ i 1)) (a 0 b) (b 1 (+ a b))) ((= i 6) (list a b))))
  (test "do binds fresh variables each iteration" '(2 1 0)
        (do ((i 0 (+ i 1)) (l '() (cons (lambda () i) l))) ((= i 3) (map (lambda (f) (f)) l)))))

(test-group "cond and case"
  (test "cond first true clause" 'greater (cond ((> 3 2) 'greater) ((< 3 2) 'less)))
  (test "cond else" 'equal (cond ((> 3 3) 'greater) ((< 3 3) 'less) (else 'equal)))
  (test "cond =>" 2 (cond ((assv 'b '((a 1) (b 2))) => cadr) (else #f)))
  (test "cond => receives the test value" '(b 2) (cond ((assv 'b '((a 1) (b 2))) => (lambda (x) x))))
  (test "cond test alone returns its value" 7 (cond (#f 1) (7)))
  (test "cond clause body is a sequence" 'two (cond (#t 'one 'two)))
  (test "cond else body is a sequence" 'z (cond (#f 1) (else 'y 'z)))
  (test "cond evaluates tests in order, once" '(2 b)
        (let ((n 0))
          (let ((r (cond ((begin (set! n (+ n 1)) #f) 'a) ((begin (set! n (+ n 1)) #t) 'b) (else 'c))))
            (list n r))))
  (test "locally bound else is not the keyword" 'y (let ((else #f)) (cond (else 'x) (#t 'y))))
  (test "case" 'composite (case (* 2 3) ((2 3 5 7) 'prime) ((1 4 6 8 9) 'composite)))
  (test "case else =>" 'c (case (car '(c d)) ((a e i o u) 'vowel) ((w y) 'semivowel) (else => (lambda (x) x))))
  (test "case clause =>" 10 (case 5 ((5) => (lambda (x) (* x 2))) (else 0)))
  (test "case on characters" 'digit (case #\3 ((#\a #\b) 'letter) ((#\1 #\2 #\3) 'digit) (else 'other)))
  (test "case else" 'other (case 'zz ((a) 1) (else 'other)))
  (test "case with an empty datum list" 'e (case 1 (() 'never) (else 'e)))
  (test "case evaluates its key once" '(1 b)
        (let ((n 0)) (let ((r (case (begin (set! n (+ n 1)) 'b) ((a) 'a) ((b) 'b) (else 'c)))) (list n r))))
  (test "case body is a sequence" 'y (case 1 ((1) 'x 'y) (else 'z))))

(test-group "and or when unless"
  (test "(and)" #t (and))
  (test "(or)" #f (or))
  (test "and returns the last value" '(f g) (and 1 2 'c '(f g)))
  (test "and stops at #f" #f (and 1 #f (car '())))
  (test "or returns the first true value" '(b c) (or (memq 'b '(a b c)) (car '())))
  (test "or of all #f" #f (or #f #f))
  (test "or of one expression" 7 (or 7))
  (test "or does not capture a user x" 'user (let ((x 'user)) (or #f x)))
  (test "and evaluates left to right" '(3 2 1)
        (let ((l '())) (and (begin (set! l (cons 1 l)) #t) (begin (set! l (cons 2 l)) #t) (set! l (cons 3 l))) l))
  (test "when true" 'b (when (= 1 1) 'a 'b))
  (test "when false skips the body" 0 (let ((n 0)) (when #f (set! n 1)) n))
  (test "unless false" 'b (unless (= 1 2) 'a 'b))
  (test "unless true skips the body" 0 (let ((n 0)) (unless #t (set! n 1)) n)))

(test-group "quasiquote"
  (test "unquote" '(list 3 4) `(list ,(+ 1 2) 4))
  (test "unquote of a quoted name" '(list a (quote a)) (let ((name 'a)) `(list ,name ',name)))
  (test "unquote-splicing" '(a 3 4 5 6 b) `(a ,(+ 1 2) ,@(map abs '(4 -5 6)) b))
  (test "splicing the empty list" '(1 2) `(1 ,@'() 2))
  (test "splicing at the end" '(1 2 3) `(1 ,@(list 2 3)))
  (test "splicing alone" '(1 2) `(,@(list 1 2)))
  (test "unquote in the dotted tail" '(1 . 2) `(1 . ,(+ 1 1)))
  (test "splice then dotted tail" '((foo 7) . cons) `((foo ,(- 10 3)) ,@(cdr '(c)) . ,(car '(cons))))
  (test "vector" #(10 5 2 4 3 8) `#(10 5 ,(* 2 1) ,@(map (lambda (x) (- x 1)) '(5 4)) 8))
  (test "vector splicing in the middle" #(1 2 3 4) `#(1 ,@(list 2 3) 4))
  (test "empty vector" #() `#())
  (test "vector inside a list" '(a #(b 2)) `(a #(b ,(+ 1 1))))
  (test "no unquote is like quote" '(a b (c)) `(a b (c)))
  (test "long form" '(list 3 4) (quasiquote (list (unquote (+ 1 2)) 4)))
  (test "nested level keeps inner unquote" '(p (quasiquote (q (unquote (r 5)))))
        (let ((x 5)) `(p `(q ,(r ,x)))))
  (test "nested ,,x and ,',x" '(m (quasiquote (n (unquote p) (unquote (quote q)))))
        (let ((u 'p) (v 'q)) `(m `(n ,,u ,',v))))
  (test "nested splicing at the inner level" '(1 (quasiquote (2 (unquote (3 4 5)))))
        `(1 `(2 ,(3 ,@(list 4 5)))))
  (test "inner level stays unevaluated" '(a (quasiquote (b (unquote (+ 1 2)))))
        `(a `(b ,(+ 1 2))))
  (test "unquotes are evaluated each time" '((1) (2))
        (let* ((n 0) (f (lambda () (set! n (+ n 1)) `(,n))) (a (f)) (b (f))) (list a b))))

(test-group "bodies and definitions"
  (test "internal define" 2 (let () (define x 1) (define (f) (+ x 1)) (f)))
  (test "internal defines are mutually recursive" #t
        (let ()
          (define (ev? n) (if (= n 0) #t (od? (- n 1))))
          (define (od? n) (if (= n 0) #f (ev? (- n 1))))
          (ev? 10)))
  (test "internal defines in order (letrec*)" 2 (let () (define a 1) (define b (+ a 1)) b))
  (test "defines inside begin in a body" 3 (let () (begin (define a 1) (define b 2)) (+ a b)))
  (test "define in a lambda body" 10 ((lambda () (define x 10) x)))
  (test "internal define shadows an outer binding" '(inner 1)
        (let ((x 1)) (let () (define y 'inner) (define x y) (list x 1))))
  (test "define-values in a body" '(1 2) (let () (define-values (a b) (values 1 2)) (list a b)))
  (test "define-values with a rest" '(1 (2 3)) (let () (define-values (a . r) (values 1 2 3)) (list a r)))
  (test "define-values of one variable" '(1 2) (let () (define-values all (values 1 2)) all))
  (test "define-values with zero values" 'ok (let () (define-values () (values)) 'ok))
  (test "define-values then define" 6 (let () (define-values (a b) (values 1 2)) (define c 3) (+ a b c)))
  (test "define with rest arguments" '(1 (2 3)) (let () (define (f a . r) (list a r)) (f 1 2 3)))
  (test "lambda with only a rest argument" '(1 2) ((lambda args args) 1 2))
  (test "lambda with a rest argument and no extra" '(1 ()) ((lambda (a . r) (list a r)) 1)))

(define-values (dv-a dv-b . dv-c) (values 1 2 3 4))
(define top-shadow 'outer)

(test-group "top-level definitions"
  (test "top-level define-values" '(1 2 (3 4)) (list dv-a dv-b dv-c))
  (test "a body define does not change the top-level one" '(inner outer)
        (list (let () (define top-shadow 'inner) top-shadow) top-shadow))
  (test "set! of a top-level variable" 5 (begin (set! dv-a 5) dv-a)))

(test-group "multiple values"
  (test "let-values" 35 (let-values (((root rem) (exact-integer-sqrt 32))) (* root rem)))
  (test "let*-values" '(x y x y)
        (let ((a 'a) (b 'b) (x 'x) (y 'y))
          (let*-values (((a b) (values x y)) ((x y) (values a b))) (list a b x y))))
  (test "let-values binds in parallel" '(2 1)
        (let ((x 1)) (let-values (((x) (values 2)) ((y) (values x))) (list x y))))
  (test "let-values rest formals" '(1 (2 3) (4 5))
        (let-values (((a . r) (values 1 2 3)) (all (values 4 5))) (list a r all)))
  (test "let-values of zero values" 'ok (let-values ((() (values))) 'ok))
  (test "let-values with a body sequence" 3 (let-values (((a b) (values 1 2))) 'ignored (+ a b)))
  (test "receive" '(1 (2 3)) (receive (a . rest) (values 1 2 3) (list a rest)))
  (test "receive of one formal list" '(1 2) (receive all (values 1 2) all)))

(define plus
  (case-lambda
    (() 0)
    ((x) x)
    ((x y) (+ x y))
    ((x y z) (+ (+ x y) z))
    (args (apply + args))))

(define cl-rest
  (case-lambda
    ((a) (list 'one a))
    ((a b . c) (list 'many a b c))))

(test-group "case-lambda"
  (test "zero arguments" 0 (plus))
  (test "one argument" 1 (plus 1))
  (test "two arguments" 3 (plus 1 2))
  (test "three arguments" 6 (plus 1 2 3))
  (test "rest clause" 15 (plus 1 2 3 4 5))
  (test "clause with a dotted rest" '(many 1 2 (3 4)) (cl-rest 1 2 3 4))
  (test "dotted rest with no extra" '(many 1 2 ()) (cl-rest 1 2))
  (test "one-argument clause" '(one 1) (cl-rest 1))
  (test "first matching clause wins" 'rest ((case-lambda ((a . r) 'rest) ((a b) 'two)) 1 2))
  (test-error "no matching clause" (cl-rest))
  (test "case-lambda is a procedure" #t (procedure? plus)))

(define-record-type <pare>
  (kons x y)
  pare?
  (x kar set-kar!)
  (y kdr))

(define-record-type node
  (make-node right left)
  node?
  (left node-left set-node-left!)
  (right node-right)
  (extra node-extra set-node-extra!))

(define-record-type empty-rec (make-empty-rec) empty-rec?)

(test-group "define-record-type"
  (test "predicate on its instance" #t (pare? (kons 1 2)))
  (test "predicate on a pair" #f (pare? (cons 1 2)))
  (test "predicate on other types" '(#f #f #f #f #f #f)
        (map pare? (list 5 "s" 'kons (vector 1 2) car (make-node 1 2))))
  (test "accessors" '(1 2) (let ((k (kons 1 2))) (list (kar k) (kdr k))))
  (test "modifier" 3 (let ((k (kons 1 2))) (set-kar! k 3) (kar k)))
  (test "modifier leaves other fields" 2 (let ((k (kons 1 2))) (set-kar! k 3) (kdr k)))
  (test "constructor with reordered fields" '(2 1) (let ((n (make-node 1 2))) (list (node-left n) (node-right n))))
  (test "field not in the constructor can be set" 'x
        (let ((n (make-node 1 2))) (set-node-extra! n 'x) (node-extra n)))
  (test "modifier on a reordered field" '(9 1) (let ((n (make-node 1 2))) (set-node-left! n 9) (list (node-left n) (node-right n))))
  (test "records of different types" '(#f #f) (list (node? (kons 1 2)) (pare? (make-node 1 2))))
  (test "record with no fields" #t (empty-rec? (make-empty-rec)))
  (test "instances are distinct" #f (eq? (kons 1 2) (kons 1 2)))
  (test "a record is not a vector, pair or procedure" '(#f #f #f)
        (let ((k (kons 1 2))) (list (vector? k) (pair? k) (procedure? k))))
  (test-error "accessor on the wrong type" (kar (cons 1 2)))
  (test-error "accessor on another record type" (kar (make-node 1 2)))
  (test-error "modifier on the wrong type" (set-kar! (vector 1 2) 0))
  (test-error "constructor with too many arguments" (kons 1 2 3))
  (test "record type in a body" '(#t 7)
        (let ()
          (define-record-type box (make-box v) box? (v unbox))
          (let ((b (make-box 7))) (list (box? b) (unbox b))))))

(define radix
  (make-parameter 10 (lambda (x)
                       (if (and (exact-integer? x) (<= 2 x 16))
                           x
                           (error "invalid radix" x)))))
(define (radix-string n) (number->string n (radix)))
(define p10 (make-parameter 10))
(define p-double (make-parameter 5 (lambda (x) (* x 2))))

(test-group "parameters"
  (test "initial value" 10 (p10))
  (test "parameterize" 20 (parameterize ((p10 20)) (p10)))
  (test "value restored after parameterize" 10 (begin (parameterize ((p10 20)) (p10)) (p10)))
  (test "nested parameterize" '(2 1 10) (parameterize ((p10 1)) (list (parameterize ((p10 2)) (p10)) (p10) 10)))
  (test "converter on the initial value" 10 (p-double))
  (test "converter on parameterize" 6 (parameterize ((p-double 3)) (p-double)))
  (test "converter not reapplied on restore" 10 (begin (parameterize ((p-double 3)) #f) (p-double)))
  (test "value expression sees the outer value" 11 (parameterize ((p10 (+ (p10) 1))) (p10)))
  (test "several parameters at once" '(1 2) (parameterize ((p10 1) (p-double 1)) (list (p10) (p-double))))
  (test "parameterize body may define" 3 (parameterize ((p10 3)) (define x (p10)) x))
  (test "radix example" "12" (radix-string 12))
  (test "radix example with parameterize" "1100" (parameterize ((radix 2)) (radix-string 12)))
  (test-error "converter error" (parameterize ((radix 0)) (radix-string 12)))
  (test "value restored after a converter error" 10 (begin (guard (e (#t #f)) (parameterize ((radix 0)) 1)) (radix)))
  (test "escape by continuation restores" '(out 10)
        (let ((r (call/cc (lambda (k) (parameterize ((p10 1)) (k 'out))))))
          (list r (p10))))
  (test "procedure sees the dynamic value" 42
        (let ((get (lambda () (p10)))) (parameterize ((p10 42)) (get)))))

(define (stream-loop n) (delay-force (if (= n 0) (delay 'done) (stream-loop (- n 1)))))
(define (ints-from n) (delay (cons n (ints-from (+ n 1)))))
(define (stream-drop s k) (delay-force (if (= k 0) s (stream-drop (cdr (force s)) (- k 1)))))

(test-group "promises"
  (test "force of delay" 3 (force (delay (+ 1 2))))
  (test "delay is memoized" '(1 1 1)
        (let* ((n 0) (p (delay (begin (set! n (+ n 1)) n))) (a (force p)) (b (force p)))
          (list a b n)))
  (test "delay is lazy" 0 (let* ((n 0) (p (delay (set! n 1)))) n))
  (test "promise?" '(#t #t #t #f #f)
        (list (promise? (delay 1)) (promise? (delay-force (delay 1))) (promise? (make-promise 1))
              (promise? 1) (promise? (lambda () 1))))
  (test "make-promise" 7 (force (make-promise 7)))
  (test "make-promise of a promise is that promise" #t (let ((p (delay 1))) (eq? p (make-promise p))))
  (test "delay-force" 'x (force (delay-force (delay 'x))))
  (test "a promise forcing itself (R7RS 4.2.5)" '(6 6)
        (let ()
          (define x 5)
          (define count 0)
          (define p (delay (begin (set! count (+ count 1))
                                  (if (> count x) count (force p)))))
          (let ((first (force p)))
            (set! x 10)
            (list first (force p)))))
  (test "delay-force chain of 10^6 in constant space" 'done (force (stream-loop (scaled 1000000 10000))))
  (test "stream dropping 10^5 elements" (scaled 100000 1000)
        (car (force (stream-drop (ints-from 0) (scaled 100000 1000))))))

;;; ---- syntax-rules ----

(define-syntax swap!
  (syntax-rules ()
    ((_ a b) (let ((tmp a)) (set! a b) (set! b tmp)))))

(define-syntax my-if
  (syntax-rules (then else)
    ((_ c then t else e) (if c t e))
    ((_ c then t) (if c t #f))))

(define-syntax my-list
  (syntax-rules ()
    ((_ x ...) (list x ...))))

(define-syntax my-or
  (syntax-rules ()
    ((_) #f)
    ((_ e) e)
    ((_ e r ...) (let ((t e)) (if t t (my-or r ...))))))

(define-syntax pairs-of
  (syntax-rules ()
    ((_ (name val ...) ...) '((name (val ...)) ...))))

(define-syntax prefix-each
  (syntax-rules ()
    ((_ x (y ...) ...) '((x y ...) ...))))

(define-syntax last-of
  (syntax-rules ()
    ((_ x ... y) 'y)))

(define-syntax split-end
  (syntax-rules ()
    ((_ a ... b c) '((a ...) b c))))

(define-syntax tail-of
  (syntax-rules ()
    ((_ a . rest) 'rest)))

(define-syntax ellipsis-then-tail
  (syntax-rules ()
    ((_ a ... . r) '((a ...) r))))

(define-syntax vsum
  (syntax-rules ()
    ((_ #(a ...)) (+ a ...))))

(define-syntax vlast
  (syntax-rules ()
    ((_ #(a ... b)) 'b)))

(define-syntax dots
  (syntax-rules ()
    ((_) '(... ...))))

(define-syntax def-seq
  (syntax-rules ()
    ((_ name) (define-syntax name
                (syntax-rules ()
                  ((_ e (... ...)) (begin e (... ...))))))))
(def-seq my-begin)

(define-syntax def-lister
  (syntax-rules ::: ()
    ((_ name pre :::)
     (define-syntax name
       (syntax-rules ()
         ((_ x ...) (list pre ::: x ...)))))))
(def-lister list-12 1 2)

(define-syntax colon-list
  (syntax-rules ::: ()
    ((_ x :::) '(x :::))))

(define-syntax second-of
  (syntax-rules ()
    ((_ _ b . _) 'b)))

(define-syntax def-const
  (syntax-rules ()
    ((_ n v) (define n v))))
(def-const const-42 42)

(define-syntax with-x
  (syntax-rules ()
    ((_ body) (let ((x 'macro)) body))))

(define-syntax while
  (syntax-rules ()
    ((_ c body ...) (let loop () (when c body ... (loop))))))

(define-syntax count-args
  (syntax-rules ()
    ((_) 0)
    ((_ x . r) (+ 1 (count-args . r)))))

(define-syntax def-two
  (syntax-rules ()
    ((_ a b v) (begin (define a v) (define b v)))))

(define-syntax my-cond
  (syntax-rules (else)
    ((_) 'none)
    ((_ (else e)) e)
    ((_ (c e) rest ...) (if c e (my-cond rest ...)))))

(define-syntax if-then-user
  (syntax-rules ()
    ((_ x) (my-if x then 'a else 'b))))

(define-syntax cond-user
  (syntax-rules ()
    ((_ x) (cond (x 'yes) (else 'no)))))

(define-syntax case-user
  (syntax-rules ()
    ((_ x) (case x ((1) 'one) (else => (lambda (v) (list 'other v)))))))

(define-syntax quote-it
  (syntax-rules ()
    ((_ x) 'x)))

(define (helper-after-macro x) (* x 10))
(define-syntax use-helper
  (syntax-rules ()
    ((_ x) (helper-after-macro x))))

(define-syntax vec-of
  (syntax-rules ()
    ((_ x ...) #(x ...))))

(define-syntax rev-groups
  (syntax-rules ()
    ((_ (a b ...) ...) '((b ... a) ...))))

(define-syntax arrows
  (syntax-rules (=>)
    ((_ (k => v) ...) '((k . v) ...))))

(define-syntax kw-ignored
  (syntax-rules ()
    ((anything a) 'a)))

(define-syntax zip-pairs
  (syntax-rules ()
    ((_ (a ...) (b ...)) '((a b) ...))))

(define-syntax gen-getter
  (syntax-rules ()
    ((_ name) (begin (define hidden-value 'from-gen)
                     (define (name) hidden-value)))))
(gen-getter get-hidden)

(def-two top-two-a top-two-b 'two)

(begin
  (define-syntax in-begin (syntax-rules () ((_) 'in-begin)))
  (define in-begin-result (in-begin)))

(define-syntax uses-later (syntax-rules () ((_) (defined-later))))
(define-syntax defined-later (syntax-rules () ((_) 'later)))

(test-group "syntax-rules"
  (test "vector template" #(1 2 3) (vec-of 1 2 3))
  (test "nested ellipsis with a trailing element" '((2 3 1) (5 4) (6)) (rev-groups (1 2 3) (4 5) (6)))
  (test "literal inside an ellipsis subpattern" '((a . 1) (b . 2)) (arrows (a => 1) (b => 2)))
  (test "the keyword position is ignored" 'x (kw-ignored x))
  (test "two variables in one ellipsis" '((1 a) (2 b)) (zip-pairs (1 2) (a b)))
  (test "macro-defined procedure sees its hidden definition" 'from-gen (get-hidden))
  (test "macro-introduced begin of defines at top level" '(two two) (list top-two-a top-two-b))
  (test "define-syntax inside a top-level begin" 'in-begin in-begin-result)
  (test "macro expanding into a macro defined after it" 'later (uses-later))
  (test "internal define-syntax refers to its definition scope" 'outer
        (let ((x 'outer))
          (define-syntax m (syntax-rules () ((_) x)))
          (let ((x 'inner)) (m))))
  (test "body define of a name that is a global macro" 'fn
        (let () (define (when x) 'fn) (when 1)))
  (test "deep macro recursion" 1000 (eval (cons 'count-args (make-list 1000 'a)) env))
  (test "simple macro" 6 (let ((a 1) (b 6)) (swap! a b) a))
  (test "literals" 1 (my-if #t then 1 else 2))
  (test "literals choose the clause" #f (my-if #f then 1))
  (test "ellipsis" '(1 2 3) (my-list 1 2 3))
  (test "ellipsis matching nothing" '() (my-list))
  (test "recursive macro" 3 (my-or #f #f 3))
  (test "recursive macro all false" #f (my-or #f #f))
  (test "nested ellipses" '((a (1 2)) (b ()) (c (3))) (pairs-of (a 1 2) (b) (c 3)))
  (test "depth-0 variable inside an ellipsis" '((0 1 2) (0 3)) (prefix-each 0 (1 2) (3)))
  (test "ellipsis followed by a pattern" 3 (last-of 1 2 3))
  (test "ellipsis followed by two patterns" '((1 2) 3 4) (split-end 1 2 3 4))
  (test "ellipsis matching nothing before two patterns" '(() 3 4) (split-end 3 4))
  (test "dotted tail pattern" '(2 3) (tail-of 1 2 3))
  (test "dotted tail matching ()" '() (tail-of 1))
  (test "ellipsis then dotted tail" '((1 2) 3) (ellipsis-then-tail 1 2 . 3))
  (test "ellipsis then dotted tail, proper list" '((1 2) ()) (ellipsis-then-tail 1 2))
  (test "vector pattern" 6 (vsum #(1 2 3)))
  (test "vector pattern with a trailing element" 'c (vlast #(a b c)))
  (test "(... ...) gives a literal ellipsis" '... (dots))
  (test "(... ...) in a macro-defining macro" 3 (my-begin 1 2 3))
  (test "custom ellipsis identifier" '(1 2 3 4) (list-12 3 4))
  (test "custom ellipsis in a template" '(a b c) (colon-list a b c))
  (test "_ matches anything" 2 (second-of 1 2 3 4))
  (test "macro expanding to a define" 42 const-42)
  (test "macro expanding to several defines" '(5 5) (let () (def-two p q 5) (list p q)))
  (test "macro with a literal else" 'b (my-cond (#f 'a) (else 'b)))
  (test "macro quoting its argument" '(a (b)) (quote-it (a (b))))
  (test "macro calling a procedure defined after it" 30 (use-helper 3))
  (test "recursive macro over a dotted tail" 3 (count-args a b c))
  (test "let-syntax" 42 (let-syntax ((dbl (syntax-rules () ((_ x) (* x 2))))) (dbl 21)))
  (test "let-syntax template refers to the definition scope" 'outer
        (let ((x 'outer))
          (let-syntax ((m (syntax-rules () ((_) x))))
            (let ((x 'inner)) (m)))))
  (test "let-syntax is not recursive" 'outer-m
        (let-syntax ((m (syntax-rules () ((_) 'outer-m))))
          (let-syntax ((m (syntax-rules () ((_) (m)))))
            (m))))
  (test "letrec-syntax is recursive" 3
        (letrec-syntax ((cnt (syntax-rules () ((_) 0) ((_ x . r) (+ 1 (cnt . r))))))
          (cnt a b c)))
  (test "letrec-syntax with mutually recursive macros" '(ev od)
        (letrec-syntax ((ev? (syntax-rules () ((_) 'ev) ((_ x . r) (od? . r))))
                        (od? (syntax-rules () ((_) 'od) ((_ x . r) (ev? . r)))))
          (list (ev? 1 2) (ev? 1 2 3))))
  (test "internal define-syntax" 2
        (let ()
          (define-syntax twice (syntax-rules () ((_ e) (begin e e))))
          (define n 0)
          (twice (set! n (+ n 1)))
          n))
  (test "internal define-syntax used by a later define" 8
        (let ()
          (define-syntax def-sq (syntax-rules () ((_ n v) (define n (* v v)))))
          (def-sq eight-ish 3)
          (- eight-ish 1)))
  (test "macro keyword shadowed by a variable" 'proc (let ((my-or (lambda args 'proc))) (my-or 1 2)))
  (test "while macro" 5 (let ((i 0)) (while (< i 5) (set! i (+ i 1))) i)))

(test-group "hygiene"
  (test "macro tmp does not capture the user's tmp" '(2 1)
        (let ((tmp 1) (other 2)) (swap! tmp other) (list tmp other)))
  (test "user tmp as the second argument" '(2 1)
        (let ((other 1) (tmp 2)) (swap! other tmp) (list other tmp)))
  (test "macro t does not capture the user's t" 5 (let ((t 5)) (my-or #f t)))
  (test "macro binding does not capture a body variable" 'user (let ((x 'user)) (with-x x)))
  (test "user if around a macro use" 3 (let ((if list)) (my-or #f 3)))
  (test "user list around a macro use" '(1 2) (let ((list vector)) (my-list 1 2)))
  (test "user let around a macro use" 2 (let ((let 0)) (my-or #f 2)))
  (test "user tmp and let around swap!" '(b a)
        (let ((tmp 'a) (y 'b)) (let ((let 'oops)) (swap! tmp y)) (list tmp y)))
  (test "user loop around while" 3 (let ((loop 3) (i 0)) (while (< i loop) (set! i (+ i 1))) i))
  (test "user when around while" 4 (let ((i 0) (when #f)) (while (< i 4) (set! i (+ i 1))) i))
  (test "user set! binding does not break swap!" '(2 1)
        (let ((a 1) (b 2)) (let ((set! #f)) (swap! a b)) (list a b)))
  (test "literal matching by binding" 'shadowed
        (guard (e (#t 'shadowed))
          (eval '(let ((then 1)) (my-if #t then 1 else 2)) env)))
  (test "else bound locally is not the literal of my-cond" 'none
        (let ((else #f)) (my-cond (#f 'a) (else 'x))))
  (test "literals inserted by another macro match" 'b (if-then-user #f))
  (test "inserted literals match despite user then/else" 'b (let ((then 1) (else 2)) (if-then-user #f)))
  (test "macro-inserted else in cond despite a user else" 'no (let ((else #f)) (cond-user #f)))
  (test "macro-inserted else => in case despite user bindings" '(other 2)
        (let ((else #f) (=> #f)) (case-user 2)))
  (test "derived forms survive a local if" 'yes
        (let ((if (lambda (a b c) 'wrong)))
          (cond ((= 1 1) 'yes) (else 'no))))
  (test "case survives a local memv and eqv?" 'b
        (let ((memv (lambda args #f)) (eqv? (lambda args #f)))
          (case 2 ((1) 'a) ((2) 'b) (else 'c))))
  (test "do survives a local loop name" 10
        (let ((loop 'user)) (do ((i 0 (+ i 1))) ((= i 10) i))))
  (test "quasiquote survives a local list, cons and append" '(1 2 3 4)
        (let ((list #f) (cons #f) (append #f) (list->vector #f)) `(1 ,@(vector->list (vector 2 3)) ,(+ 2 2)))))

(test-group "literals and nesting"
  (test "vector literal is self-evaluating" #(1 2) #(1 2))
  (test "bytevector literal is self-evaluating" (bytevector 1 2) #u8(1 2))
  (test "string literal" "s" "s")
  ;; DESIGN.md allows a depth limit here, as long as it is a Scheme error.
  (test-assert "very deeply nested expression: a value or a clean error"
        (guard (e ((error-object? e) #t))
          (let ((n (scaled 100000 5000)))
            (= n (eval (let loop ((i 0) (e 0)) (if (= i n) e (loop (+ i 1) (list '+ 1 e)))) env)))))
  (test "nested expression 2000 deep" 2000
        (eval (let loop ((i 0) (e 0)) (if (= i 2000) e (loop (+ i 1) (list '+ 1 e)))) env))
  (test "cond with 5000 clauses" 4321
        (eval (list 'let '((x 4321))
                    (cons 'cond (let l ((i 0) (acc '((else 'none))))
                                  (if (= i 5000) acc (l (+ i 1) (cons (list (list '= 'x i) i) acc))))))
              env))
  ;; 1000, not more: expansion time grows with the square of the nesting
  ;; of binding forms (4000 nested lets take about 10 s).
  (test "1000 nested lets" 1000
        (eval (let loop ((i 0) (e 'x0))
                (if (= i 1000) (list 'let '((x0 0)) e)
                    (loop (+ i 1) (list 'let (list (list 'x0 (list '+ 'x0 1))) e))))
              env))
  (test "a body with 2000 internal defines" 1999000
        (eval (let loop ((i 0) (body (list (cons '+ (let l ((j 0) (acc '())) (if (= j 2000) acc (l (+ j 1) (cons (string->symbol (string-append "v" (number->string j))) acc))))))))
                (if (= i 2000) (cons 'let (cons '() body))
                    (loop (+ i 1) (cons (list 'define (string->symbol (string-append "v" (number->string i))) i) body))))
              env)))

(test-group "cond-expand"
  (test "r7rs feature" 'yes (cond-expand (r7rs 'yes) (else 'no)))
  (test "missing feature" 'ok (cond-expand (no-such-feature-xyz 'bad) (else 'ok)))
  (test "not" 'ok (cond-expand ((not no-such-feature-xyz) 'ok) (else 'bad)))
  (test "and / or" 'ok (cond-expand ((and r7rs (or no-such-feature-xyz r7rs)) 'ok) (else 'bad)))
  (test "library" 'lib (cond-expand ((library (scheme base)) 'lib) (else 'nolib))))

(define (syntax-error-kind form)
  (guard (e ((error-object? e) (condition-kind e)) (#t 'non-error-object))
    (eval form env)
    'no-error))

(test-group "syntax errors"
  (test "let with a bad binding" 'syntax-error (syntax-error-kind '(let ((x)) x)))
  (test "let binding a number" 'syntax-error (syntax-error-kind '(let ((1 2)) 3)))
  (test "let with no body" 'syntax-error (syntax-error-kind '(let ((x 1)))))
  (test "named let with no bindings list" 'syntax-error (syntax-error-kind '(let loop)))
  (test "(if)" 'syntax-error (syntax-error-kind '(if)))
  (test "if with too many parts" 'syntax-error (syntax-error-kind '(if 1 2 3 4)))
  (test "(lambda)" 'syntax-error (syntax-error-kind '(lambda)))
  (test "lambda with a non-identifier parameter" 'syntax-error (syntax-error-kind '(lambda (1) 1)))
  (test "lambda with a duplicate parameter" 'syntax-error (syntax-error-kind '(lambda (x x) x)))
  (test "(define)" 'syntax-error (syntax-error-kind '(define)))
  (test "set! of a non-identifier" 'syntax-error (syntax-error-kind '(set! 5 1)))
  (test "(quote 1 2)" 'syntax-error (syntax-error-kind '(quote 1 2)))
  (test "else not last in cond" 'syntax-error (syntax-error-kind '(cond (else 1) (#t 2))))
  (test "bad case" 'syntax-error (syntax-error-kind '(case)))
  (test "bad do" 'syntax-error (syntax-error-kind '(do ((i 0)) )))
  (test "unquote outside quasiquote" 'syntax-error (syntax-error-kind '(let ((x 1)) (unquote x))))
  (test "macro use matching no rule" 'syntax-error (syntax-error-kind '(my-if 1 2)))
  (test "syntax-error form" 'syntax-error
        (syntax-error-kind '(let-syntax ((m (syntax-rules () ((_) (syntax-error "custom message" 1)))))
                              (m))))
  (test "syntax-error form message" "custom message"
        (guard (e ((error-object? e) (error-object-message e)))
          (eval '(let-syntax ((m (syntax-rules () ((_ a) (syntax-error "custom message" a)))))
                   (m 1))
                env)))
  (test "define-record-type with an unknown constructor field" 'syntax-error
        (syntax-error-kind '(define-record-type r (make-r a) r? (b r-b))))
  (test "bad syntax-rules pattern variable use" 'syntax-error
        (syntax-error-kind '(let-syntax ((m (syntax-rules () ((_ a ...) (list a))))) (m 1 2))))
  (test "ellipsis variables of different lengths" 'syntax-error
        (syntax-error-kind '(zip-pairs (1 2) (a))))
  (test "a syntax error is an error object" #t
        (guard (e (#t (error-object? e))) (eval '(if) env))))
