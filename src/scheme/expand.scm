;;; expand.scm -- the hygienic expander (DESIGN.md, Execution).
;;;
;;; Source forms become core forms for the compiler:
;;;   <gensym>  <cell>  (quote d)  (if a b c)  (define <cell> e)
;;;   (set! <gensym>|<cell> e)  (lambda formals body)  (begin e ...)
;;;   (letrec* ((<gensym> e) ...) body)  and applications,
;;; where a <gensym> is an uninterned symbol naming one local variable and a
;;; <cell> is a global variable's cell.
;;;
;;; Identifiers are symbols or renamed identifiers: a renamed identifier
;;; records the syntactic environment of the macro that introduced it, and
;;; means what its name meant there unless the macro's output binds it
;;; (explicit renaming, Clinger 1991).  Syntactic environments are ribs
;;; -- #(rib alist parent) -- ending in a top-level environment object.
;;; A binding maps an identifier to a denotation: a special form object, a
;;; macro object, a cell (a global), or a gensym (a local).  Derived forms
;;; are macros (derived.scm); syntax-rules is implemented here on the same
;;; machinery.
;;;
;;; Loaded through boot0's %expand0 (see prelude.scm for what that allows).
;;;
;;; SPDX-License-Identifier: MIT

;;; ---- syntactic environments ----

(define (%make-rib parent) (vector '%rib '() parent))
(define (%rib? x) (and (vector? x) (= (vector-length x) 3) (eq? (vector-ref x 0) '%rib)))
(define (%rib-bindings r) (vector-ref r 1))
(define (%rib-parent r) (vector-ref r 2))
(define (%rib-add! r id denotation) (vector-set! r 1 (cons (cons id denotation) (vector-ref r 1))))

(define (identifier? x) (or (symbol? x) (%identifier? x)))

(define (identifier->symbol id)
  (if (symbol? id) id (identifier->symbol (%identifier-name id))))

(define (%toplevel env) (if (%rib? env) (%toplevel (%rib-parent env)) env))

;; The denotation of id in env, or #f for a free identifier with no
;; top-level binding yet.
(define (%lookup id env)
  (let loop ((e env))
    (if (%rib? e)
        (let ((b (assq id (%rib-bindings e))))
          (if b (cdr b) (loop (%rib-parent e))))
        (if (symbol? id)
            (%env-lookup e id)
            (%lookup (%identifier-name id) (%identifier-env id))))))

;; Where a free identifier lives: (top-level-env . symbol).
(define (%free-home id env)
  (let loop ((e env))
    (cond ((%rib? e)
           (if (assq id (%rib-bindings e)) (cons #f id) (loop (%rib-parent e))))
          ((symbol? id) (cons e id))
          (else (%free-home (%identifier-name id) (%identifier-env id))))))

(define (%global-cell id env)
  (let ((home (%free-home id env)))
    (%env-cell (car home) (cdr home))))

(define (%special-named? id env name)
  (and (identifier? id)
       (let ((d (%lookup id env)))
         (and (%special? d) (eq? (%special-name d) name)))))

(define (free-identifier=? a b . env)
  (let ((env (if (pair? env) (car env) (interaction-environment))))
    (and (identifier? a) (identifier? b)
         (let ((da (%lookup a env)) (db (%lookup b env)))
           (if (or da db)
               (eq? da db)
               (eq? (identifier->symbol a) (identifier->symbol b)))))))

;;; ---- errors ----

;; The innermost located form being expanded: where a syntax error in a
;; form that has no location of its own (an atom, ()) is reported.
(define %current-location #f)

(define (syntax-error message form)
  (raise (%make-condition 'syntax-error message (list (syntax->datum form)) #f
                          (or (%pair-location form) %current-location))))

;; syntax->datum: renamed identifiers back to symbols.  Data from the
;; reader holds no renamed identifiers and may be circular (datum labels in
;; a quoted literal), so a bounded search for identifiers comes first: when
;; it finds none the datum is returned as it is; when it runs out of budget
;; the datum is copied as a graph (cycles and sharing kept).
(define (syntax->datum x)
  (let ((found (%find-identifier x 100000)))
    (cond ((eq? found 'none) x)
          ((eq? found 'identifier) (%strip-tree x))
          (else (%strip-graph x)))))

;; 'none, 'identifier, or 'budget (gave up after about n nodes).
(define (%find-identifier x n)
  (let loop ((todo (list x)) (n n))
    (cond ((null? todo) 'none)
          ((< n 0) 'budget)
          (else
           (let ((x (car todo)) (todo (cdr todo)))
             (cond ((%identifier? x) 'identifier)
                   ((pair? x) (loop (cons (car x) (cons (cdr x) todo)) (- n 1)))
                   ((vector? x) (loop (append (vector->list x) todo) (- n (+ 1 (vector-length x)))))
                   (else (loop todo (- n 1)))))))))

(define (%strip-tree x)
  (cond ((%identifier? x) (identifier->symbol x))
        ((pair? x)
         (let ((a (%strip-tree (car x))) (d (%strip-tree (cdr x))))
           (if (and (eq? a (car x)) (eq? d (cdr x))) x (cons a d))))
        ((vector? x)
         (let ((l (vector->list x)))
           (let ((s (%strip-tree l)))
             (if (eq? s l) x (list->vector s)))))
        (else x)))

(define (%strip-graph x)
  (let ((seen (%make-hash-table 'eq)))
    (let walk ((x x))
      (cond ((%identifier? x) (identifier->symbol x))
            ((pair? x)
             (or (%hash-table-ref seen x #f)
                 (let ((p (cons #f #f)))
                   (%hash-table-set! seen x p)
                   (set-car! p (walk (car x)))
                   (set-cdr! p (walk (cdr x)))
                   p)))
            ((vector? x)
             (or (%hash-table-ref seen x #f)
                 (let ((v (make-vector (vector-length x))))
                   (%hash-table-set! seen x v)
                   (do ((i 0 (+ i 1))) ((= i (vector-length x)) v)
                     (vector-set! v i (walk (vector-ref x i)))))))
            (else x)))))

(define (%check-list x min what)
  (let ((n (length* x)))
    (if (or (not n) (< n min)) (syntax-error what x))))

;; length of a proper list, or #f
(define (length* x) (and (list? x) (length x)))

;;; ---- expansion ----

;; Nesting depth of %expand-expr, reset by each top-level form.  Circular
;; code (datum labels outside a quote) would expand forever: when the depth
;; reaches 1000, 2000, 4000... the form at hand is checked for a cycle (any
;; path that deep through a smaller structure must contain one).  A macro
;; that never stops expanding is stopped by the hard limit.
(define %expand-depth 0)
(define %expand-check-at 1000)
(define %expand-depth-limit 100000)

(define (%expand-expr x env)
  (cond ((identifier? x) (%expand-variable x env))
        ((pair? x)
         (let ((loc (%pair-location x)))
           (if loc (set! %current-location loc)))
         (set! %expand-depth (+ %expand-depth 1))
         (if (= %expand-depth %expand-check-at)
             (begin
               (set! %expand-check-at (* 2 %expand-check-at))
               (if (%circular? x)
                   (begin
                     (set! %expand-depth 0)
                     (syntax-error "circular expression (a datum label outside a quote?); its head:"
                                   (if (identifier? (car x)) (car x) '...))))))
         (if (> %expand-depth %expand-depth-limit)
             (begin
               (set! %expand-depth 0)
               (syntax-error "expression nested too deeply (a macro that never stops expanding?); its head:"
                             (if (identifier? (car x)) (car x) '...))))
         (let ((r (%copy-location x (%expand-pair x env))))
           (set! %expand-depth (- %expand-depth 1))
           r))
        ((null? x) (syntax-error "empty application ()" x))
        ((vector? x) (list 'quote (syntax->datum x)))
        (else x)))

;; Does x (pairs and vectors) reach itself?
(define (%circular? x)
  (let ((state (%make-hash-table 'eq)))
    (let walk ((x x))
      (if (or (pair? x) (vector? x))
          (let ((s (%hash-table-ref state x #f)))
            (cond ((eq? s 'open) #t)
                  ((eq? s 'done) #f)
                  (else
                   (%hash-table-set! state x 'open)
                   (let ((r (if (pair? x)
                                (or (walk (car x)) (walk (cdr x)))
                                (let loop ((i 0))
                                  (and (< i (vector-length x))
                                       (or (walk (vector-ref x i)) (loop (+ i 1))))))))
                     (%hash-table-set! state x 'done)
                     r))))
          #f))))

(define (%expand-variable id env)
  (let ((d (%lookup id env)))
    (cond ((symbol? d) d)
          ((%cell? d) d)
          ((not d) (%global-cell id env))
          ((%macro? d) (syntax-error "macro keyword used as a variable:" id))
          (else (syntax-error "syntactic keyword used as a variable:" id)))))

(define (%expand-pair x env)
  (let ((head (car x)))
    (if (identifier? head)
        (let ((d (%lookup head env)))
          (cond ((%special? d) (%expand-special (%special-name d) x env))
                ((%macro? d) (%expand-expr (%expand-macro d x env) env))
                (else (%expand-application x env))))
        (%expand-application x env))))

(define (%expand-application x env)
  (if (not (list? x)) (syntax-error "bad application (improper list):" x))
  (%map1 (lambda (e) (%expand-expr e env)) x))

;; One step of a macro use.
(define (%expand-macro m x env)
  (let* ((menv (%macro-environment m))
         (renames '())
         (rename (lambda (name)
                   (let ((p (assq name renames)))
                     (if p
                         (cdr p)
                         (let ((id (%make-identifier name menv #f)))
                           (set! renames (cons (cons name id) renames))
                           id)))))
         (compare (lambda (a b) (free-identifier=? a b env))))
    (%copy-location x ((%macro-procedure m) x rename compare))))

(define (%expand-special name x env)
  (case name
    ((quote)
     (%check-list x 2 "quote: bad syntax:")
     (if (not (null? (cddr x))) (syntax-error "quote: bad syntax:" x))
     (list 'quote (syntax->datum (cadr x))))
    ((quasiquote)
     (%check-list x 2 "quasiquote: bad syntax:")
     (%qq (cadr x) 1 env))
    ((lambda)
     (%check-list x 3 "lambda: bad syntax (expected (lambda formals body ...)):")
     (%expand-lambda (cadr x) (cddr x) env x))
    ((if)
     (let ((n (length* x)))
       (if (not (and n (or (= n 3) (= n 4)))) (syntax-error "if: bad syntax (expected (if test then [else])):" x))
       (cons 'if (%map1 (lambda (e) (%expand-expr e env)) (cdr x)))))
    ((set!)
     (if (not (and (eqv? (length* x) 3) (identifier? (cadr x))))
         (syntax-error "set!: bad syntax (expected (set! variable expression)):" x))
     (let ((d (%lookup (cadr x) env)))
       (list 'set!
             (cond ((symbol? d) d)
                   ((%cell? d) d)
                   ((not d) (%global-cell (cadr x) env))
                   (else (syntax-error "set!: not a variable:" (cadr x))))
             (%expand-expr (caddr x) env))))
    ((begin)
     (%check-list x 1 "begin: bad syntax:")
     (if (null? (cdr x))
         '(if #f #f)
         (cons 'begin (%map1 (lambda (e) (%expand-expr e env)) (cdr x)))))
    ((letrec letrec*)
     (%check-list x 3 "letrec: bad syntax:")
     (let ((rib (%make-rib env)))
       (for-each (lambda (b)
                   (if (not (and (eqv? (length* b) 2) (identifier? (car b))))
                       (syntax-error "letrec: bad binding:" b))
                   (%rib-add! rib (car b) (%gensym (identifier->symbol (car b)))))
                 (cadr x))
       (list 'letrec*
             (%map1 (lambda (b) (list (%lookup (car b) rib) (%expand-expr (cadr b) rib))) (cadr x))
             (%expand-body (cddr x) rib x))))
    ((let-syntax letrec-syntax)
     (%check-list x 3 "let-syntax: bad syntax:")
     (let ((rib (%make-rib env)))
       (for-each (lambda (b)
                   (if (not (and (eqv? (length* b) 2) (identifier? (car b))))
                       (syntax-error "let-syntax: bad binding:" b))
                   (%rib-add! rib (car b)
                              (%make-transformer (cadr b) (if (eq? name 'letrec-syntax) rib env))))
                 (cadr x))
       (%expand-body (cddr x) rib x)))
    ((define)
     (syntax-error "define: not allowed here (a definition in an expression):" x))
    ((define-syntax)
     (syntax-error "define-syntax: not allowed here (in an expression):" x))
    ((syntax-rules er-macro-transformer)
     (syntax-error "a macro transformer is only allowed in define-syntax or let-syntax:" x))
    ((import define-library)
     (syntax-error (string-append (symbol->string name) ": allowed only at the top level:") x))
    ((cond-expand)
     (%expand-expr (%cond-expand x env) env))
    ((include include-ci)
     (%expand-expr (%expand-include x env) env))
    (else
     (syntax-error (string-append (symbol->string name) ": misplaced syntax:") x))))

;; (lambda formals body): a new rib binding each formal to a gensym.
(define (%expand-lambda formals body env form)
  (let ((rib (%make-rib env)))
    (let ((new-formals
           (let loop ((f formals) (seen '()))
             (cond ((null? f) '())
                   ((identifier? f)
                    (if (memq f seen) (syntax-error "lambda: duplicate parameter:" f))
                    (let ((g (%gensym (identifier->symbol f))))
                      (%rib-add! rib f g)
                      g))
                   ((and (pair? f) (identifier? (car f)))
                    (if (memq (car f) seen) (syntax-error "lambda: duplicate parameter:" (car f)))
                    (let ((g (%gensym (identifier->symbol (car f)))))
                      (%rib-add! rib (car f) g)
                      (cons g (loop (cdr f) (cons (car f) seen)))))
                   (else (syntax-error "lambda: bad parameter list:" form))))))
      (%copy-location form (list 'lambda new-formals (%expand-body body rib form))))))

;; A transformer from its specification: (syntax-rules ...),
;; (er-macro-transformer proc), or an expression giving a procedure
;; (form rename compare).
(define (%make-transformer spec env)
  (cond ((and (pair? spec) (%special-named? (car spec) env 'syntax-rules))
         (%make-macro (%syntax-rules spec env) env))
        ((and (pair? spec) (%special-named? (car spec) env 'er-macro-transformer))
         (%check-list spec 2 "er-macro-transformer: bad syntax:")
         (%make-macro (%eval-at-expansion (cadr spec) env) env))
        (else
         (let ((v (%eval-at-expansion spec env)))
           (cond ((%macro? v) v)
                 ((procedure? v) (%make-macro v env))
                 (else (syntax-error "not a macro transformer:" spec)))))))

(define (%eval-at-expansion x env)
  (let ((top (%toplevel env)))
    ((%compile (%expand-expr x env) top))))

;;; ---- bodies ----

;; A body (lambda, let and letrec bodies): definitions, then expressions,
;; as one letrec*.  Definitions may come from macros and begin.
(define (%expand-body forms env form)
  (if (null? forms) (syntax-error "empty body:" form))
  (let ((rib (%make-rib env)))
    ;; items: (def gensym init-kind init ...) or (expr form), in order
    (let scan ((queue forms) (items '()))
      (if (null? queue)
          (%finish-body (reverse items) rib form)
          (let* ((f (car queue)) (rest (cdr queue))
                 (d (and (pair? f) (identifier? (car f)) (%lookup (car f) rib))))
            (cond ((and (%special? d) (eq? (%special-name d) 'define))
                   (let ((def (%parse-define f)))
                     (let ((g (%gensym (identifier->symbol (car def)))))
                       (%rib-add! rib (car def) g)
                       (scan rest (cons (list 'def g (cdr def) f) items)))))
                  ((and (%special? d) (eq? (%special-name d) 'begin))
                   (%check-list f 1 "begin: bad syntax:")
                   (scan (append (cdr f) rest) items))
                  ((and (%special? d) (eq? (%special-name d) 'define-syntax))
                   (if (not (and (eqv? (length* f) 3) (identifier? (cadr f))))
                       (syntax-error "define-syntax: bad syntax:" f))
                   (%rib-add! rib (cadr f) (%make-transformer (caddr f) rib))
                   (scan rest items))
                  ((%macro? d)
                   (scan (cons (%expand-macro d f rib) rest) items))
                  ((and (%special? d) (memq (%special-name d) '(include include-ci)))
                   (scan (cons (%expand-include f rib) rest) items))
                  ((and (%special? d) (eq? (%special-name d) 'cond-expand))
                   (scan (cons (%cond-expand f rib) rest) items))
                  (else (scan rest (cons (list 'expr f) items)))))))))

;; (define id expr) | (define id) | (define (id . formals) body ...) |
;; curried forms: => (id . init) where init is (lambda formals body form)
;; or (expr e).
(define (%parse-define f)
  (if (not (and (list? f) (>= (length f) 2))) (syntax-error "define: bad syntax:" f))
  (let ((target (cadr f)))
    (cond ((identifier? target)
           (cond ((null? (cddr f)) (list target 'expr '(if #f #f)))
                 ((null? (cdddr f)) (list target 'expr (caddr f)))
                 (else (syntax-error "define: bad syntax (more than one expression):" f))))
          ((pair? target)
           (if (null? (cddr f)) (syntax-error "define: no body:" f))
           (let loop ((target target) (body (cddr f)))
             (if (pair? (car target))
                 ;; ((f a) b) => (f a) returning (lambda (b) body)
                 (loop (car target) (list (cons (%env-lookup-special 'lambda) (cons (cdr target) body))))
                 (if (identifier? (car target))
                     (list (car target) 'lambda (cdr target) body)
                     (syntax-error "define: bad name:" f)))))
          (else (syntax-error "define: bad name:" f)))))

(define (%expand-define-init kind rest env form)
  (if (eq? kind 'lambda)
      (%expand-lambda (car rest) (cadr rest) env form)
      (%expand-expr (car rest) env)))

(define (%finish-body items rib form)
  ;; the expressions after the last definition are the body proper
  (let loop ((l (reverse items)) (tail '()))
    (if (and (pair? l) (eq? (caar l) 'expr))
        (loop (cdr l) (cons (car l) tail))
        (let ((defs (reverse l)))
          (if (null? tail) (syntax-error "body has no expression after its definitions:" form))
          (let ((body (%map1 (lambda (it) (%expand-expr (cadr it) rib)) tail)))
            (if (null? defs)
                (if (null? (cdr body)) (car body) (cons 'begin body))
                (list 'letrec*
                      (%map1 (lambda (it)
                               (if (eq? (car it) 'def)
                                   (let ((spec (caddr it)))
                                     (list (cadr it)
                                           (%expand-define-init (car spec) (cdr spec) rib (cadddr it))))
                                   (list (%gensym "_") (%expand-expr (cadr it) rib))))
                             defs)
                      (if (null? (cdr body)) (car body) (cons 'begin body)))))))))

;;; ---- quasiquote ----

(define (%sys-cell name) (%env-lookup (%system-environment) name))

(define (%qq-tag? x env name)
  (and (pair? x) (%special-named? (car x) env name)
       (pair? (cdr x)) (null? (cddr x))))

;; Does x contain an unquote at this depth?
(define (%qq-constant? x depth env)
  (cond ((pair? x)
         (cond ((%qq-tag? x env 'unquote) (and (> depth 1) (%qq-constant? (cadr x) (- depth 1) env)))
               ((%qq-tag? x env 'unquote-splicing) (and (> depth 1) (%qq-constant? (cadr x) (- depth 1) env)))
               ((%qq-tag? x env 'quasiquote) (%qq-constant? (cadr x) (+ depth 1) env))
               (else (and (%qq-constant? (car x) depth env) (%qq-constant? (cdr x) depth env)))))
        ((vector? x) (%qq-constant? (vector->list x) depth env))
        (else #t)))

(define (%qq x depth env)
  (cond ((%qq-constant? x depth env) (list 'quote (syntax->datum x)))
        ((pair? x)
         (cond ((%qq-tag? x env 'unquote)
                (if (= depth 1)
                    (%expand-expr (cadr x) env)
                    (list (%sys-cell 'list) ''unquote (%qq (cadr x) (- depth 1) env))))
               ((%qq-tag? x env 'quasiquote)
                (list (%sys-cell 'list) ''quasiquote (%qq (cadr x) (+ depth 1) env)))
               ((%qq-tag? (car x) env 'unquote-splicing)
                (if (= depth 1)
                    (list (%sys-cell 'append) (%expand-expr (cadar x) env) (%qq (cdr x) depth env))
                    (list (%sys-cell 'cons)
                          (list (%sys-cell 'list) ''unquote-splicing (%qq (cadar x) (- depth 1) env))
                          (%qq (cdr x) depth env))))
               (else (list (%sys-cell 'cons) (%qq (car x) depth env) (%qq (cdr x) depth env)))))
        ((vector? x) (list (%sys-cell 'list->vector) (%qq (vector->list x) depth env)))
        (else (list 'quote (syntax->datum x)))))

;;; ---- cond-expand ----

(define (%feature-match? req env)
  (cond ((identifier? req)
         (or (memq (identifier->symbol req) (%features))
             (%special-named? req env 'else)))
        ((and (pair? req) (identifier? (car req)))
         (case (identifier->symbol (car req))
           ((and) (every (lambda (r) (%feature-match? r env)) (cdr req)))
           ((or) (any (lambda (r) (%feature-match? r env)) (cdr req)))
           ((not) (not (%feature-match? (cadr req) env)))
           ((library) (%library-available? (syntax->datum (cadr req))))
           (else #f)))
        (else #f)))

;; (cond-expand clause ...) => (begin body ...) of the first clause whose
;; requirement holds.
(define (%cond-expand x env)
  (let loop ((clauses (cdr x)))
    (cond ((null? clauses) '(if #f #f))
          ((not (pair? (car clauses))) (syntax-error "cond-expand: bad clause:" (car clauses)))
          ((%feature-match? (caar clauses) env)
           (cons (%env-lookup-special 'begin) (cdar clauses)))
          (else (loop (cdr clauses))))))

(define (%env-lookup-special name)
  ;; an identifier that means the system's special form `name'
  (%make-identifier name (%system-environment) #f))

;;; ---- syntax-rules (R7RS 4.3.2) ----

(define (%syntax-rules spec env)
  (%check-list spec 2 "syntax-rules: bad syntax:")
  (let* ((custom (identifier? (cadr spec)))
         (ellipsis (if custom (cadr spec) '...))
         (literals (if custom (caddr spec) (cadr spec)))
         (rules (if custom (cdddr spec) (cddr spec))))
    (if (not (and (list? literals) (every identifier? literals)))
        (syntax-error "syntax-rules: bad literals:" spec))
    (for-each (lambda (r)
                (if (not (and (eqv? (length* r) 2) (pair? (car r))))
                    (syntax-error "syntax-rules: bad rule:" r)))
              rules)
    (let ((ellipsis? (lambda (x)
                       (and (identifier? x)
                            (if custom
                                (eq? x ellipsis)
                                (and (eq? (identifier->symbol x) '...) (not (memq x literals))))))))
      (lambda (form rename compare)
        (let loop ((rules rules))
          (if (null? rules)
              (syntax-error "no syntax-rules pattern matches this use:" form)
              (let* ((rule (car rules))
                     (b (%sr-match (cdar rule) (cdr form) literals ellipsis? rename compare '())))
                (if b
                    (%sr-expand (cadr rule) b ellipsis? rename)
                    (loop (cdr rules))))))))))

;; Match pattern p against input x; an alist of bindings, or #f.  An
;; ellipsis variable is bound to (%ellipsis . list-of-match-alists).
(define (%sr-match p x literals ellipsis? rename compare b)
  (cond ((not b) #f)
        ((identifier? p)
         (cond ((memq p literals)
                (and (identifier? x) (compare x (rename p)) b))
               ((eq? (identifier->symbol p) '_) b)
               (else (cons (cons p x) b))))
        ((pair? p)
         (if (and (pair? (cdr p)) (ellipsis? (cadr p)))
             ;; p ... followed by k more patterns (and maybe a dotted tail)
             (let* ((after (cddr p))
                    (min-after (let count ((a after) (n 0)) (if (pair? a) (count (cdr a) (+ n 1)) n)))
                    (xs (let take ((x x) (acc '()))
                          (if (pair? x) (take (cdr x) (cons (car x) acc)) (reverse acc))))
                    (avail (- (length xs) min-after)))
               (and (>= avail 0)
                    (let collect ((x x) (i 0) (matches '()))
                      (if (< i avail)
                          (let ((m (%sr-match (car p) (car x) literals ellipsis? rename compare '())))
                            (and m (collect (cdr x) (+ i 1) (cons m matches))))
                          (let ((b2 (%sr-match after x literals ellipsis? rename compare b)))
                            (and b2
                                 (append (%map1 (lambda (v) (cons v (cons '%ellipsis (reverse matches))))
                                                (%sr-vars (car p) literals ellipsis?))
                                         b2)))))))
             (and (pair? x)
                  (%sr-match (cdr p) (cdr x) literals ellipsis? rename compare
                             (%sr-match (car p) (car x) literals ellipsis? rename compare b)))))
        ((null? p) (and (null? x) b))
        ((vector? p)
         (and (vector? x)
              (%sr-match (vector->list p) (vector->list x) literals ellipsis? rename compare b)))
        (else (and (equal? p x) b))))

;; The pattern variables of p.
(define (%sr-vars p literals ellipsis?)
  (cond ((identifier? p)
         (if (or (memq p literals) (ellipsis? p) (eq? (identifier->symbol p) '_)) '() (list p)))
        ((pair? p) (append (%sr-vars (car p) literals ellipsis?) (%sr-vars (cdr p) literals ellipsis?)))
        ((vector? p) (%sr-vars (vector->list p) literals ellipsis?))
        (else '())))

(define (%sr-expand t b ellipsis? rename)
  (cond ((identifier? t)
         (let ((v (assq t b)))
           (cond ((not v) (rename t))
                 ((and (pair? (cdr v)) (eq? (cadr v) '%ellipsis))
                  (syntax-error "syntax-rules: pattern variable used without ellipsis:" t))
                 (else (cdr v)))))
        ((pair? t)
         (cond ((and (ellipsis? (car t)) (pair? (cdr t)))
                ;; (... template): the template with ellipses taken literally
                (%sr-expand (cadr t) b (lambda (x) #f) rename))
               ((and (pair? (cdr t)) (ellipsis? (cadr t)))
                ;; sub ... [...]: count the ellipses after sub
                (let loop ((rest (cddr t)) (depth 1))
                  (if (and (pair? rest) (ellipsis? (car rest)))
                      (loop (cdr rest) (+ depth 1))
                      (append (%sr-expand-ellipsis (car t) b ellipsis? rename depth)
                              (%sr-expand rest b ellipsis? rename)))))
               (else (cons (%sr-expand (car t) b ellipsis? rename)
                           (%sr-expand (cdr t) b ellipsis? rename)))))
        ((vector? t) (list->vector (%sr-expand (vector->list t) b ellipsis? rename)))
        (else t)))

;; The expansions of sub for each match of its ellipsis variables,
;; flattened depth-1 times.
(define (%sr-expand-ellipsis sub b ellipsis? rename depth)
  (let* ((vars (%sr-template-vars sub b ellipsis?))
         (evars (filter (lambda (v) (let ((e (assq v b))) (and (pair? (cdr e)) (eq? (cadr e) '%ellipsis)))) vars)))
    (if (null? evars)
        (syntax-error "syntax-rules: no pattern variable under this ellipsis:" sub))
    (let* ((seqs (%map1 (lambda (v) (cddr (assq v b))) evars))
           (n (apply min (%map1 length seqs))))
      (if (not (apply = (%map1 length seqs)))
          (syntax-error "syntax-rules: pattern variables under one ellipsis matched different lengths:" sub))
      (let loop ((i 0) (seqs seqs) (acc '()))
        (if (= i n)
            (let ((items (reverse acc)))
              (if (= depth 1) items (apply append items)))
            (let ((b2 (append (apply append (%map1 car seqs)) b)))
              (loop (+ i 1) (%map1 cdr seqs)
                    (cons (if (= depth 1)
                              (%sr-expand sub b2 ellipsis? rename)
                              (%sr-expand-ellipsis sub b2 ellipsis? rename (- depth 1)))
                          acc))))))))

(define (%sr-template-vars t b ellipsis?)
  (cond ((identifier? t) (if (assq t b) (list t) '()))
        ((pair? t) (append (%sr-template-vars (car t) b ellipsis?) (%sr-template-vars (cdr t) b ellipsis?)))
        ((vector? t) (%sr-template-vars (vector->list t) b ellipsis?))
        (else '())))

;;; ---- the top level ----

;; Expand a top-level form in top-level environment env.
(define (%expand-toplevel x env)
  (if (and (pair? x) (identifier? (car x)))
      (let ((d (%lookup (car x) env)))
        (cond ((and (%special? d) (eq? (%special-name d) 'define))
               (let* ((def (%parse-define x))
                      (cell (%env-own-cell env (identifier->symbol (car def)))))
                 (%copy-location x (list 'define cell (%expand-define-init (cadr def) (cddr def) env x)))))
              ((and (%special? d) (eq? (%special-name d) 'begin))
               (%check-list x 1 "begin: bad syntax:")
               (cons 'begin (let loop ((forms (cdr x)) (acc '()))
                              (if (null? forms)
                                  (if (null? acc) (list '(if #f #f)) (reverse acc))
                                  (loop (cdr forms) (cons (%expand-toplevel (car forms) env) acc))))))
              ((and (%special? d) (eq? (%special-name d) 'define-syntax))
               (if (not (and (eqv? (length* x) 3) (identifier? (cadr x))))
                   (syntax-error "define-syntax: bad syntax:" x))
               (%env-bind! env (identifier->symbol (cadr x)) (%make-transformer (caddr x) env))
               '(if #f #f))
              ((and (%special? d) (eq? (%special-name d) 'import))
               (%import-into! x env)
               '(if #f #f))
              ((and (%special? d) (eq? (%special-name d) 'define-library))
               (%define-library x (%form-directory x))
               '(if #f #f))
              ((and (%special? d) (memq (%special-name d) '(include include-ci)))
               (%expand-toplevel (%expand-include x env) env))
              ((%macro? d)
               ;; counted like nesting, so a macro that never stops
               ;; expanding at top level meets the same limit
               (set! %expand-depth (+ %expand-depth 1))
               (if (> %expand-depth %expand-depth-limit)
                   (let ((loc (%pair-location x)))
                     (if loc (set! %current-location loc))
                     (set! %expand-depth 0)
                     (syntax-error "expression nested too deeply (a macro that never stops expanding?); its head:"
                                   (car x))))
               (let ((r (%expand-toplevel (%expand-macro d x env) env)))
                 (set! %expand-depth (- %expand-depth 1))
                 r))
              ((and (%special? d) (eq? (%special-name d) 'cond-expand))
               (%expand-toplevel (%cond-expand x env) env))
              (else (%expand-expr x env))))
      (%expand-expr x env)))

;;; ---- installing the expander ----

;; The special forms, bound in the system environment.
(for-each (lambda (name) (%env-bind! (%system-environment) name (%make-special name)))
          '(quote quasiquote unquote unquote-splicing lambda if set! begin define
            letrec letrec* let-syntax letrec-syntax define-syntax syntax-rules
            er-macro-transformer import define-library include include-ci cond-expand
            else => ... _))

(set! %expand
      (lambda (x env)
        (set! %expand-depth 0)
        (set! %expand-check-at 1000)
        (%expand-toplevel x env)))
