(import (scheme base) (scheme write) (scheme read) (scheme process-context))
;; size: 26 expected: 622603
;; interp: a small evaluator for a tiny Scheme-like language (numbers,
;; booleans, variables, quote, if, lambda, let, begin, top-level define,
;; primitive and closure application).  Local environments are association
;; lists; top-level definitions live in a global association list.
;; Interpreted closures are lists (closure params body env).  The
;; interpreted program defines fib, a tail-recursive loop, map over a list
;; and closure-making procedures, and its final expression computes
;; (fib n) + (sum of (make-adder n) over 0..19) + (sum-loop 1000 0);
;; that value is the result.

(define n (read))
(define expected (read))

;;; list helpers (the conservative subset has no cadr and friends)

(define (second x) (car (cdr x)))
(define (third x) (car (cdr (cdr x))))
(define (fourth x) (car (cdr (cdr (cdr x)))))

(define (fail message irritant)
  (display message) (write irritant) (newline)
  (exit 2))

;;; environments

(define globals '())

(define (define-global! name value)
  (set! globals (cons (cons name value) globals)))

(define (lookup name env)
  (let ((local (assq name env)))
    (if local
        (cdr local)
        (let ((global (assq name globals)))
          (if global
              (cdr global)
              (fail "unbound variable: " name))))))

(define (extend env names values)
  (cond ((and (null? names) (null? values)) env)
        ((or (null? names) (null? values)) (fail "wrong number of arguments: " names))
        (else (extend (cons (cons (car names) (car values)) env)
                      (cdr names)
                      (cdr values)))))

;;; procedures

(define (make-closure params body env) (list 'closure params body env))
(define (closure? p) (and (pair? p) (eq? (car p) 'closure)))
(define (closure-params p) (second p))
(define (closure-body p) (third p))
(define (closure-env p) (fourth p))

(define (make-primitive proc) (list 'primitive proc))
(define (primitive? p) (and (pair? p) (eq? (car p) 'primitive)))
(define (primitive-proc p) (second p))

;;; the evaluator

(define (evaluate x env)
  (cond ((symbol? x) (lookup x env))
        ((pair? x)
         (case (car x)
           ((quote) (second x))
           ((if) (if (evaluate (second x) env)
                     (evaluate (third x) env)
                     (evaluate (fourth x) env)))
           ((lambda) (make-closure (second x) (cdr (cdr x)) env))
           ((let) (let ((bindings (second x)))
                    (evaluate-sequence
                     (cdr (cdr x))
                     (extend env
                             (map car bindings)
                             (evaluate-list (map second bindings) env)))))
           ((begin) (evaluate-sequence (cdr x) env))
           (else (apply-procedure (evaluate (car x) env)
                                  (evaluate-list (cdr x) env)))))
        (else x)))

(define (evaluate-list exprs env)
  ;; evaluates left to right, returns the list of values
  (let loop ((exprs exprs) (acc '()))
    (if (null? exprs)
        (reverse acc)
        (loop (cdr exprs) (cons (evaluate (car exprs) env) acc)))))

(define (evaluate-sequence body env)
  (if (null? (cdr body))
      (evaluate (car body) env)
      (begin (evaluate (car body) env)
             (evaluate-sequence (cdr body) env))))

(define (apply-procedure proc args)
  (cond ((primitive? proc) ((primitive-proc proc) args))
        ((closure? proc)
         (evaluate-sequence (closure-body proc)
                            (extend (closure-env proc) (closure-params proc) args)))
        (else (fail "not a procedure: " proc))))

(define (run-toplevel forms)
  ;; evaluates each form; (define name expr) extends the globals;
  ;; returns the value of the last form
  (let loop ((forms forms) (value #f))
    (cond ((null? forms) value)
          ((and (pair? (car forms)) (eq? (car (car forms)) 'define))
           (define-global! (second (car forms)) (evaluate (third (car forms)) '()))
           (loop (cdr forms) (second (car forms))))
          (else (loop (cdr forms) (evaluate (car forms) '()))))))

;;; primitives

(define-global! '+ (make-primitive (lambda (args) (+ (car args) (second args)))))
(define-global! '- (make-primitive (lambda (args) (- (car args) (second args)))))
(define-global! '* (make-primitive (lambda (args) (* (car args) (second args)))))
(define-global! '< (make-primitive (lambda (args) (< (car args) (second args)))))
(define-global! '= (make-primitive (lambda (args) (= (car args) (second args)))))
(define-global! 'cons (make-primitive (lambda (args) (cons (car args) (second args)))))
(define-global! 'car (make-primitive (lambda (args) (car (car args)))))
(define-global! 'cdr (make-primitive (lambda (args) (cdr (car args)))))
(define-global! 'null? (make-primitive (lambda (args) (null? (car args)))))
(define-global! 'n n)

;;; the interpreted program

(define program
  '((define fib
      (lambda (k)
        (if (< k 2)
            k
            (let ((a (fib (- k 1)))
                  (b (fib (- k 2))))
              (+ a b)))))
    (define sum-loop
      (lambda (i acc)
        (if (= i 0) acc (sum-loop (- i 1) (+ acc i)))))
    (define make-adder
      (lambda (k) (lambda (x) (+ x k))))
    (define compose
      (lambda (f g) (lambda (x) (f (g x)))))
    (define map1
      (lambda (f lst)
        (if (null? lst)
            (quote ())
            (cons (f (car lst)) (map1 f (cdr lst))))))
    (define range
      (lambda (i j)
        (if (= i j) (quote ()) (cons i (range (+ i 1) j)))))
    (define sum-list
      (lambda (lst acc)
        (if (null? lst) acc (sum-list (cdr lst) (+ acc (car lst))))))
    (begin
      (+ (fib n)
         (+ (sum-list (map1 (compose (make-adder n) (lambda (x) (* x 1)))
                            (range 0 20))
                      0)
            (sum-loop 1000 0))))))

(define result (run-toplevel program))

(write result) (newline)
(if (not (equal? result expected)) (begin (display "wrong result") (newline) (exit 1)))
