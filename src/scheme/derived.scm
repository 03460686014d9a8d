;;; derived.scm -- the derived expression types of R7RS (4.2) as macros
;;; over the core forms, written with explicit renaming: every identifier a
;;; macro inserts goes through `r', so it means what it means here whatever
;;; the user has bound at the use site.
;;;
;;; Loaded through the hygienic expander (expand.scm).
;;;
;;; SPDX-License-Identifier: MIT

;; The first macros are written with core forms only: a transformer's
;; code is expanded when it is defined, before the macros after it exist.

(define-syntax and
  (er-macro-transformer
   (lambda (x r c)
     (if (null? (cdr x))
         #t
         (if (null? (cddr x))
             (cadr x)
             `(,(r 'if) ,(cadr x) (,(r 'and) ,@(cddr x)) #f))))))

(define (%bindings? x)
  (and (list? x)
       (every (lambda (b) (and (list? b) (= (length b) 2) (identifier? (car b)))) x)))

(define-syntax let
  (er-macro-transformer
   (lambda (x r c)
     (if (and (pair? (cdr x)) (identifier? (cadr x)))
         ;; named let
         (begin
           (if (not (and (>= (length x) 4) (%bindings? (caddr x))))
               (syntax-error "let: bad syntax (expected (let name ((var init) ...) body ...)):" x))
           ((lambda (name bindings)
              `((,(r 'letrec) ((,name (,(r 'lambda) ,(map car bindings) ,@(cdddr x)))) ,name)
                ,@(map cadr bindings)))
            (cadr x) (caddr x)))
         (if (and (>= (length x) 3) (%bindings? (cadr x)))
             `((,(r 'lambda) ,(map car (cadr x)) ,@(cddr x)) ,@(map cadr (cadr x)))
             (syntax-error "let: bad syntax (expected (let ((var init) ...) body ...)):" x))))))

(define-syntax or
  (er-macro-transformer
   (lambda (x r c)
     (if (null? (cdr x))
         #f
         (if (null? (cddr x))
             (cadr x)
             `(,(r 'let) ((,(r 'x) ,(cadr x)))
               (,(r 'if) ,(r 'x) ,(r 'x) (,(r 'or) ,@(cddr x)))))))))

(define-syntax when
  (er-macro-transformer
   (lambda (x r c)
     (if (not (and (list? x) (>= (length x) 3))) (syntax-error "when: bad syntax:" x))
     `(,(r 'if) ,(cadr x) (,(r 'begin) ,@(cddr x))))))

(define-syntax unless
  (er-macro-transformer
   (lambda (x r c)
     (if (not (and (list? x) (>= (length x) 3))) (syntax-error "unless: bad syntax:" x))
     `(,(r 'if) ,(cadr x) (,(r 'if) #f #f) (,(r 'begin) ,@(cddr x))))))

(define-syntax cond
  (er-macro-transformer
   (lambda (x r c)
     (if (not (list? x)) (syntax-error "cond: bad syntax:" x))
     (let loop ((clauses (cdr x)))
       (if (null? clauses)
           `(,(r 'if) #f #f)
           (let ((cl (car clauses)))
             (if (not (and (list? cl) (pair? cl))) (syntax-error "cond: bad clause:" cl))
             (if (c (car cl) (r 'else))
                 (begin
                   (if (not (null? (cdr clauses))) (syntax-error "cond: else clause is not the last:" x))
                   `(,(r 'begin) ,@(cdr cl)))
                 (if (null? (cdr cl))
                     `(,(r 'or) ,(car cl) ,(loop (cdr clauses)))
                     (if (c (cadr cl) (r '=>))
                         (begin
                           (if (not (= (length cl) 3)) (syntax-error "cond: bad => clause:" cl))
                           `(,(r 'let) ((,(r 'tmp) ,(car cl)))
                             (,(r 'if) ,(r 'tmp) (,(caddr cl) ,(r 'tmp)) ,(loop (cdr clauses)))))
                         `(,(r 'if) ,(car cl) (,(r 'begin) ,@(cdr cl)) ,(loop (cdr clauses))))))))))))

(define-syntax let*
  (er-macro-transformer
   (lambda (x r c)
     (if (not (and (list? x) (>= (length x) 3) (%bindings? (cadr x))))
         (syntax-error "let*: bad syntax (expected (let* ((var init) ...) body ...)):" x))
     (let ((bindings (cadr x)))
       (if (or (null? bindings) (null? (cdr bindings)))
           `(,(r 'let) ,bindings ,@(cddr x))
           `(,(r 'let) (,(car bindings)) (,(r 'let*) ,(cdr bindings) ,@(cddr x))))))))

(define-syntax case
  (er-macro-transformer
   (lambda (x r c)
     (if (not (and (list? x) (>= (length x) 2))) (syntax-error "case: bad syntax:" x))
     (let ((key (r 'key)))
       `(,(r 'let) ((,key ,(cadr x)))
         ,(let loop ((clauses (cddr x)))
            (if (null? clauses)
                `(,(r 'if) #f #f)
                (let ((cl (car clauses)))
                  (if (not (and (list? cl) (>= (length cl) 2))) (syntax-error "case: bad clause:" cl))
                  (let ((body (if (c (cadr cl) (r '=>))
                                  `((,(caddr cl) ,key))
                                  (cdr cl))))
                    (cond ((c (car cl) (r 'else))
                           `(,(r 'begin) ,@body))
                          ((list? (car cl))
                           `(,(r 'if) (,(r 'memv) ,key (,(r 'quote) ,(car cl)))
                             (,(r 'begin) ,@body)
                             ,(loop (cdr clauses))))
                          (else (syntax-error "case: bad clause:" cl))))))))))))

(define-syntax do
  (er-macro-transformer
   (lambda (x r c)
     (if (not (and (list? x) (>= (length x) 3) (list? (cadr x)) (list? (caddr x)) (pair? (caddr x))))
         (syntax-error "do: bad syntax (expected (do ((var init [step]) ...) (test expr ...) body ...)):" x))
     (let ((specs (cadr x)) (test (caddr x)) (body (cdddr x)) (loop (r 'loop)))
       (for-each (lambda (s)
                   (if (not (and (list? s) (<= 2 (length s) 3) (identifier? (car s))))
                       (syntax-error "do: bad variable clause:" s)))
                 specs)
       `(,(r 'let) ,loop ,(map (lambda (s) (list (car s) (cadr s))) specs)
         (,(r 'if) ,(car test)
          (,(r 'begin) (,(r 'if) #f #f) ,@(cdr test))
          (,(r 'begin) ,@body
           (,loop ,@(map (lambda (s) (if (null? (cddr s)) (car s) (caddr s))) specs)))))))))

;;; multiple values

(define-syntax receive
  (er-macro-transformer
   (lambda (x r c)
     (if (not (and (list? x) (>= (length x) 4))) (syntax-error "receive: bad syntax:" x))
     `(,(r 'call-with-values) (,(r 'lambda) () ,(caddr x))
       (,(r 'lambda) ,(cadr x) ,@(cdddr x))))))

;; Formals with their identifiers replaced by temporaries: (formals . alist)
(define (%temp-formals formals r)
  (let loop ((f formals) (out '()) (alist '()) (i 0))
    (cond ((null? f) (cons (reverse out) alist))
          ((identifier? f)
           (let ((t (r (string->symbol (string-append "t" (number->string i))))))
             (cons (append (reverse out) t) (cons (list f t) alist))))
          (else
           (let ((t (r (string->symbol (string-append "t" (number->string i))))))
             (loop (cdr f) (cons t out) (cons (list (car f) t) alist) (+ i 1)))))))

(define-syntax let-values
  (er-macro-transformer
   (lambda (x r c)
     (if (not (and (list? x) (>= (length x) 3) (list? (cadr x))))
         (syntax-error "let-values: bad syntax:" x))
     (let loop ((bindings (cadr x)) (renames '()))
       (if (null? bindings)
           `(,(r 'let) ,renames ,@(cddr x))
           (let ((b (car bindings)))
             (if (not (and (list? b) (= (length b) 2))) (syntax-error "let-values: bad binding:" b))
             (let ((tf (%temp-formals (car b) (lambda (s) (r (string->symbol
                                                                (string-append (symbol->string s) "-"
                                                                               (number->string (length renames)))))))))
               `(,(r 'call-with-values) (,(r 'lambda) () ,(cadr b))
                 (,(r 'lambda) ,(car tf)
                  ,(loop (cdr bindings) (append renames (cdr tf))))))))))))

(define-syntax let*-values
  (er-macro-transformer
   (lambda (x r c)
     (if (not (and (list? x) (>= (length x) 3) (list? (cadr x))))
         (syntax-error "let*-values: bad syntax:" x))
     (if (null? (cadr x))
         `(,(r 'let) () ,@(cddr x))
         `(,(r 'let-values) (,(car (cadr x)))
           (,(r 'let*-values) ,(cdr (cadr x)) ,@(cddr x)))))))

(define-syntax define-values
  (er-macro-transformer
   (lambda (x r c)
     (if (not (and (list? x) (= (length x) 3))) (syntax-error "define-values: bad syntax:" x))
     (let* ((formals (cadr x))
            (tf (%temp-formals formals r)))
       `(,(r 'begin)
         ,@(map (lambda (p) `(,(r 'define) ,(car p))) (cdr tf))
         (,(r 'call-with-values) (,(r 'lambda) () ,(caddr x))
          (,(r 'lambda) ,(car tf)
           ,@(map (lambda (p) `(,(r 'set!) ,(car p) ,(cadr p))) (cdr tf))
           (,(r 'if) #f #f))))))))

;;; procedures

(define-syntax case-lambda
  (er-macro-transformer
   (lambda (x r c)
     (if (not (and (list? x) (every (lambda (cl) (and (list? cl) (>= (length cl) 2))) (cdr x))))
         (syntax-error "case-lambda: bad syntax:" x))
     `(,(r '%make-case-lambda) #f
       ,@(map (lambda (cl) `(,(r 'lambda) ,@cl)) (cdr x))))))

;;; promises (R7RS 4.2.5)

(define-syntax delay-force
  (er-macro-transformer
   (lambda (x r c)
     (if (not (and (list? x) (= (length x) 2))) (syntax-error "delay-force: bad syntax:" x))
     `(,(r '%make-promise) #f (,(r 'lambda) () ,(cadr x))))))

(define-syntax delay
  (er-macro-transformer
   (lambda (x r c)
     (if (not (and (list? x) (= (length x) 2))) (syntax-error "delay: bad syntax:" x))
     `(,(r 'delay-force) (,(r 'make-promise) ,(cadr x))))))

;;; parameters

(define-syntax parameterize
  (er-macro-transformer
   (lambda (x r c)
     (if (not (and (list? x) (>= (length x) 3) (list? (cadr x))
                   (every (lambda (b) (and (list? b) (= (length b) 2))) (cadr x))))
         (syntax-error "parameterize: bad syntax:" x))
     `(,(r '%parameterize)
       (,(r 'list) ,@(map car (cadr x)))
       (,(r 'list) ,@(map cadr (cadr x)))
       (,(r 'lambda) () ,@(cddr x))))))

;;; exceptions

(define-syntax guard
  (er-macro-transformer
   (lambda (x r c)
     (if (not (and (list? x) (>= (length x) 3) (pair? (cadr x)) (identifier? (caadr x))))
         (syntax-error "guard: bad syntax (expected (guard (var clause ...) body ...)):" x))
     (let* ((var (caadr x))
            (clauses (cdadr x))
            (has-else (and (pair? clauses)
                           (let ((l (car (last-pair clauses)))) (and (pair? l) (c (car l) (r 'else))))))
            (guard-k (r 'guard-k)) (condition (r 'condition)) (handler-k (r 'handler-k)))
       `((,(r 'call/cc)
          (,(r 'lambda) (,guard-k)
           (,(r 'with-exception-handler)
            (,(r 'lambda) (,condition)
             ((,(r 'call/cc)
               (,(r 'lambda) (,handler-k)
                (,guard-k
                 (,(r 'lambda) ()
                  (,(r 'let) ((,var ,condition))
                   (,(r 'cond) ,@clauses
                    ,@(if has-else
                          '()
                          `((,(r 'else)
                             (,handler-k
                              (,(r 'lambda) () (,(r 'raise-continuable) ,condition))))))))))))))
            (,(r 'lambda) ()
             (,(r 'call-with-values) (,(r 'lambda) () ,@(cddr x))
              (,(r 'lambda) ,(r 'args)
               (,guard-k (,(r 'lambda) () (,(r 'apply) ,(r 'values) ,(r 'args)))))))))))))))

;;; records

(define-syntax define-record-type
  (er-macro-transformer
   (lambda (x r c)
     (if (not (and (list? x) (>= (length x) 3) (identifier? (cadr x))))
         (syntax-error "define-record-type: bad syntax:" x))
     (let* ((type (cadr x))
            (ctor (caddr x))
            (pred (cadddr x))
            (fields (cddddr x))
            (field-names (map (lambda (f)
                                (if (pair? f) (car f)
                                    (if (identifier? f) f (syntax-error "define-record-type: bad field:" f))))
                              fields))
            (index (lambda (name)
                     (let loop ((l field-names) (i 1))
                       (cond ((null? l) (syntax-error "define-record-type: not a field:" name))
                             ((eq? (car l) name) i)
                             (else (loop (cdr l) (+ i 1)))))))
            (obj (r 'obj)) (val (r 'val)))
       `(,(r 'begin)
         (,(r 'define) ,type
          (,(r '%make-record-type) (,(r 'quote) ,(syntax->datum type))
                                   (,(r 'quote) ,(list->vector (syntax->datum field-names)))))
         ,@(cond ((identifier? ctor)
                  ;; a name alone: the constructor takes every field
                  `((,(r 'define) (,ctor ,@field-names) (,(r '%record) ,type ,@field-names))))
                 ((pair? ctor)
                  (if (equal? (syntax->datum (cdr ctor)) (syntax->datum field-names))
                      `((,(r 'define) (,(car ctor) ,@(cdr ctor)) (,(r '%record) ,type ,@(cdr ctor))))
                      `((,(r 'define) (,(car ctor) ,@(cdr ctor))
                         (,(r 'let) ((,obj (,(r '%make-record) ,type ,(length field-names))))
                          ,@(map (lambda (a) `(,(r '%record-set!) ,obj ,type ,(index a) ,a)) (cdr ctor))
                          ,obj)))))
                 ((not ctor) '())
                 (else (syntax-error "define-record-type: bad constructor:" ctor)))
         ,@(if (identifier? pred)
               `((,(r 'define) (,pred ,obj) (,(r '%record?) ,obj ,type)))
               '())
         ,@(apply append
                  (map (lambda (f)
                         (if (pair? f)
                             (let ((i (index (car f))))
                               (append
                                (if (pair? (cdr f))
                                    `((,(r 'define) (,(cadr f) ,obj) (,(r '%record-ref) ,obj ,type ,i)))
                                    '())
                                (if (and (pair? (cdr f)) (pair? (cddr f)))
                                    `((,(r 'define) (,(caddr f) ,obj ,val) (,(r '%record-set!) ,obj ,type ,i ,val)))
                                    '())))
                             '()))
                       fields)))))))

;;; misc

(define-syntax assert
  (er-macro-transformer
   (lambda (x r c)
     (if (not (and (list? x) (= (length x) 2))) (syntax-error "assert: bad syntax:" x))
     `(,(r 'if) ,(cadr x) (,(r 'if) #f #f)
       (,(r 'error) "assertion failed:" (,(r 'quote) ,(syntax->datum (cadr x))))))))
