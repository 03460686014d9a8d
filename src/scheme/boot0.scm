;;; boot0.scm -- stage 0 of the boot image.
;;;
;;; Compiled by the C compiler directly, so it uses only the core forms
;;; (quote if define set! lambda begin letrec letrec*, applications, and the
;;; (define (name . formals) body ...) shorthand).  It defines %expand0, a
;;; small non-hygienic expander for the derived forms that prelude.scm and
;;; expand.scm are written with (let let* letrec named-let cond case and or
;;; when unless do quasiquote, internal define), and %boot-load, which
;;; mkboot uses to load every later boot file through whatever expander
;;; %expand holds: %expand0 first, the hygienic expander once expand.scm
;;; has installed it.
;;;
;;; SPDX-License-Identifier: MIT

(define (%boot-fail msg form)
  (%abort (%make-condition 'syntax-error msg (list form))))

(define (%map1 f l)
  (if (pair? l) (cons (f (car l)) (%map1 f (cdr l))) '()))

(define (%make-begin forms)
  (if (null? forms)
      '(if #f #f)
      (if (null? (cdr forms)) (car forms) (cons 'begin forms))))

;; Keep the source location of form on its expansion.
(define (%located form expansion) (%copy-location form expansion))

(define (%expand0 x env)
  (if (pair? x)
      (%located x (%expand0-pair x (car x)))
      x))

(define (%e x) (%expand0 x #f))

(define (%expand0-pair x h)
  (if (eq? h 'quote) x
  (if (eq? h 'quasiquote) (%e (%qq (car (cdr x)) 1))
  (if (eq? h 'lambda)
      (list 'lambda (car (cdr x)) (%expand0-body (cdr (cdr x))))
  (if (eq? h 'define) (%expand0-define x)
  (if (eq? h 'let) (%expand0-let x)
  (if (eq? h 'let*) (%expand0-let* (car (cdr x)) (cdr (cdr x)))
  (if (if (eq? h 'letrec) #t (eq? h 'letrec*))
      (list 'letrec*
            (%map1 (lambda (b) (list (car b) (%e (car (cdr b))))) (car (cdr x)))
            (%expand0-body (cdr (cdr x))))
  (if (eq? h 'cond) (%expand0-cond (cdr x))
  (if (eq? h 'case)
      ((lambda (k)
         (list (list 'lambda (list k) (%expand0-case k (cdr (cdr x))))
               (%e (car (cdr x)))))
       (%gensym "key"))
  (if (eq? h 'and) (%expand0-and (cdr x))
  (if (eq? h 'or) (%expand0-or (cdr x))
  (if (eq? h 'when)
      (list 'if (%e (car (cdr x))) (%make-begin (%map1 %e (cdr (cdr x)))))
  (if (eq? h 'unless)
      (list 'if (%e (car (cdr x))) '(if #f #f) (%make-begin (%map1 %e (cdr (cdr x)))))
  (if (eq? h 'do) (%expand0-do x)
      (%map1 %e x))))))))))))))))

(define (%expand0-define x)
  ((lambda (target)
     (if (pair? target)
         (if (pair? (car target))
             ;; curried: (define ((f a) b) ...) => (define (f a) (lambda (b) ...))
             (%expand0-define
              (list 'define (car target)
                    (cons 'lambda (cons (cdr target) (cdr (cdr x))))))
             (list 'define (car target)
                   (list 'lambda (cdr target) (%expand0-body (cdr (cdr x))))))
         (list 'define target (%e (car (cdr (cdr x)))))))
   (car (cdr x))))

(define (%expand0-let x)
  (if (symbol? (car (cdr x)))
      ;; named let
      ((lambda (name bindings body)
         (cons (list 'letrec*
                     (list (list name (list 'lambda (%map1 car bindings)
                                            (%expand0-body body))))
                     name)
               (%map1 (lambda (b) (%e (car (cdr b)))) bindings)))
       (car (cdr x)) (car (cdr (cdr x))) (cdr (cdr (cdr x))))
      (cons (list 'lambda (%map1 car (car (cdr x))) (%expand0-body (cdr (cdr x))))
            (%map1 (lambda (b) (%e (car (cdr b)))) (car (cdr x))))))

(define (%expand0-let* bindings body)
  (if (null? bindings)
      (%expand0-let (cons 'let (cons '() body)))
      (%expand0-let (list 'let (list (car bindings))
                          (cons 'let* (cons (cdr bindings) body))))))

(define (%expand0-cond clauses)
  (if (null? clauses)
      '(if #f #f)
      ((lambda (c rest)
         (if (eq? (car c) 'else)
             (%make-begin (%map1 %e (cdr c)))
             (if (null? (cdr c))
                 (%expand0-or (list (car c) (cons 'cond rest)))
                 (if (eq? (car (cdr c)) '=>)
                     ((lambda (t)
                        (list (list 'lambda (list t)
                                    (list 'if t
                                          (list (%e (car (cdr (cdr c)))) t)
                                          (%expand0-cond rest)))
                              (%e (car c))))
                      (%gensym "t"))
                     (list 'if (%e (car c))
                           (%make-begin (%map1 %e (cdr c)))
                           (%expand0-cond rest))))))
       (car clauses) (cdr clauses))))

(define (%expand0-case k clauses)
  (if (null? clauses)
      '(if #f #f)
      ((lambda (c)
         (if (eq? (car c) 'else)
             (%make-begin (%map1 %e (cdr c)))
             (list 'if (list 'memv k (list 'quote (car c)))
                   (%make-begin (%map1 %e (cdr c)))
                   (%expand0-case k (cdr clauses)))))
       (car clauses))))

(define (%expand0-and l)
  (if (null? l) #t
      (if (null? (cdr l)) (%e (car l))
          (list 'if (%e (car l)) (%expand0-and (cdr l)) #f))))

(define (%expand0-or l)
  (if (null? l) #f
      (if (null? (cdr l)) (%e (car l))
          ((lambda (t)
             (list (list 'lambda (list t) (list 'if t t (%expand0-or (cdr l))))
                   (%e (car l))))
           (%gensym "t")))))

;; (do ((var init step) ...) (test result ...) body ...)
(define (%expand0-do x)
  ((lambda (specs test-clause body loop)
     (cons (list 'letrec*
                 (list (list loop
                             (list 'lambda (%map1 car specs)
                                   (list 'if (%e (car test-clause))
                                         (%make-begin (cons '(if #f #f) (%map1 %e (cdr test-clause))))
                                         (%make-begin
                                          (append (%map1 %e body)
                                                  (list (cons loop
                                                              (%map1 (lambda (s)
                                                                       (if (pair? (cdr (cdr s)))
                                                                           (%e (car (cdr (cdr s))))
                                                                           (car s)))
                                                                     specs)))))))))
                 loop)
           (%map1 (lambda (s) (%e (car (cdr s)))) specs)))
   (car (cdr x)) (car (cdr (cdr x))) (cdr (cdr (cdr x))) (%gensym "loop")))

;; A body: leading definitions become letrec*.
(define (%expand0-body forms)
  (%expand0-body-loop forms '()))

(define (%definition? f)
  (if (pair? f) (eq? (car f) 'define) #f))

(define (%expand0-body-loop forms defs)
  (if (%definition? (if (pair? forms) (car forms) #f))
      (%expand0-body-loop (cdr forms) (cons (car forms) defs))
      (if (null? defs)
          (%make-begin (%map1 %e forms))
          (list 'letrec*
                (%map1 (lambda (d)
                         ((lambda (e) (list (car (cdr e)) (car (cdr (cdr e)))))
                          (%expand0-define d)))
                       (reverse defs))
                (%make-begin (%map1 %e forms))))))

;; quasiquote of nesting depth `depth`, as list-building code.
(define (%qq x depth)
  (if (pair? x)
      (if (eq? (car x) 'unquote)
          (if (= depth 1)
              (car (cdr x))
              (list 'list ''unquote (%qq (car (cdr x)) (- depth 1))))
          (if (eq? (car x) 'quasiquote)
              (list 'list ''quasiquote (%qq (car (cdr x)) (+ depth 1)))
              (if (if (pair? (car x)) (eq? (car (car x)) 'unquote-splicing) #f)
                  (if (= depth 1)
                      (list 'append (car (cdr (car x))) (%qq (cdr x) depth))
                      (list 'cons
                            (list 'list ''unquote-splicing (%qq (car (cdr (car x))) (- depth 1)))
                            (%qq (cdr x) depth)))
                  (list 'cons (%qq (car x) depth) (%qq (cdr x) depth)))))
      (if (vector? x)
          (list 'list->vector (%qq (vector->list x) depth))
          (if (if (symbol? x) #t (null? x)) (list 'quote x) x))))

;; The expander used by %boot-load and, later, by eval: (form env).
(define %expand %expand0)

;; Load the boot file `text` (named `name` in locations) form by form.
(define (%boot-load text name)
  (%boot-load-loop text (vector 0 1 0 (%register-file name) #f 0)))

(define (%boot-load-loop text state)
  ((lambda (datum)
     (if (= (vector-ref state 5) 0)
         (begin
           ((%compile (%expand datum (%system-environment)) (%system-environment)))
           (%boot-load-loop text state))
         (if (= (vector-ref state 5) 2)
             (%boot-fail "unexpected end of file in a boot file" text)
             #t)))
   (%read-from-string text state)))
