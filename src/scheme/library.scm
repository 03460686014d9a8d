;;; library.scm -- R7RS libraries (5.6): define-library, import sets,
;;; the standard libraries' export lists, finding libraries on the search
;;; path, programs (5.1), include, environment and the (scheme r5rs)
;;; environments.
;;;
;;; A library is #(%library name env exports): env is its own top-level
;;; environment (nothing in it but what it imports and defines), exports
;;; an alist from exported symbol to denotation (a cell, a macro or a core
;;; form).  Importing binds the importer's names to those same
;;; denotations, so an imported variable is the library's variable and an
;;; imported macro keeps the meaning its library gave its free
;;; identifiers.  Each library is defined once and kept in %libraries.
;;;
;;; SPDX-License-Identifier: MIT

(define (%make-library name env exports) (vector '%library name env exports))
(define (%library? x) (and (vector? x) (= (vector-length x) 4) (eq? (vector-ref x 0) '%library)))
(define (%library-name lib) (vector-ref lib 1))
(define (%library-env lib) (vector-ref lib 2))
(define (%library-exports lib) (vector-ref lib 3))

(define %libraries '())         ; alist: name -> library
(define %libraries-loading '()) ; names whose files are being loaded

(define (%library-name? x)
  (and (list? x) (pair? x)
       (every (lambda (p) (or (symbol? p) (and (exact-integer? p) (>= p 0)))) x)))

(define (%registered-library name)
  (let ((p (assoc name %libraries)))
    (and p (cdr p))))

(define (%register-library! lib)
  (set! %libraries (cons (cons (%library-name lib) lib)
                         (remove (lambda (p) (equal? (car p) (%library-name lib))) %libraries))))

;;; ---- the standard libraries (R7RS appendix A) ----

(define %standard-library-exports
  '(((scheme base)
     * + - ... / < <= = => > >= _ abs and append apply assoc assq assv begin
     binary-port? boolean=? boolean? bytevector bytevector-append bytevector-copy
     bytevector-copy! bytevector-length bytevector-u8-ref bytevector-u8-set!
     bytevector? caar cadr call-with-current-continuation call-with-port
     call-with-values call/cc car case cdar cddr cdr ceiling char->integer
     char-ready? char<=? char<? char=? char>=? char>? char? close-input-port
     close-output-port close-port complex? cond cond-expand cons
     current-error-port current-input-port current-output-port define
     define-record-type define-syntax define-values denominator do dynamic-wind
     else eof-object eof-object? eq? equal? eqv? error error-object-irritants
     error-object-message error-object? even? exact exact-integer-sqrt
     exact-integer? exact? expt features file-error? floor floor-quotient
     floor-remainder floor/ flush-output-port for-each gcd get-output-bytevector
     get-output-string guard if import include include-ci inexact inexact?
     input-port-open? input-port? integer->char integer? lambda lcm length let
     let* let*-values let-syntax let-values letrec letrec* letrec-syntax list
     list->string list->vector list-copy list-ref list-set! list-tail list?
     make-bytevector make-list make-parameter make-string make-vector map max
     member memq memv min modulo negative? newline not null? number->string
     number? numerator odd? open-input-bytevector open-input-string
     open-output-bytevector open-output-string or output-port-open? output-port?
     pair? parameterize peek-char peek-u8 port? positive? procedure? quasiquote
     quote quotient raise raise-continuable rational? rationalize
     read-bytevector read-bytevector! read-char read-error? read-line
     read-string read-u8 real? remainder reverse round set! set-car! set-cdr!
     square string string->list string->number string->symbol string->utf8
     string->vector string-append string-copy string-copy! string-fill!
     string-for-each string-length string-map string-ref string-set! string<=?
     string<? string=? string>=? string>? string? substring symbol->string
     symbol=? symbol? syntax-error syntax-rules textual-port? truncate
     truncate-quotient truncate-remainder truncate/ u8-ready? unless unquote
     unquote-splicing utf8->string values vector vector->list vector->string
     vector-append vector-copy vector-copy! vector-fill! vector-for-each
     vector-length vector-map vector-ref vector-set! vector? when
     with-exception-handler write-bytevector write-char write-string write-u8
     zero?)
    ((scheme case-lambda) case-lambda)
    ((scheme char)
     char-alphabetic? char-ci<=? char-ci<? char-ci=? char-ci>=? char-ci>?
     char-downcase char-foldcase char-lower-case? char-numeric? char-upcase
     char-upper-case? char-whitespace? digit-value string-ci<=? string-ci<?
     string-ci=? string-ci>=? string-ci>? string-downcase string-foldcase
     string-upcase)
    ((scheme complex) angle imag-part magnitude make-polar make-rectangular real-part)
    ((scheme cxr)
     caaar caadr cadar caddr cdaar cdadr cddar cdddr caaaar caaadr caadar
     caaddr cadaar cadadr caddar cadddr cdaaar cdaadr cdadar cdaddr cddaar
     cddadr cdddar cddddr)
    ((scheme eval) environment eval)
    ((scheme file)
     call-with-input-file call-with-output-file delete-file file-exists?
     open-binary-input-file open-binary-output-file open-input-file
     open-output-file with-input-from-file with-output-to-file)
    ((scheme inexact) acos asin atan cos exp finite? infinite? log nan? sin sqrt tan)
    ((scheme lazy) delay delay-force force make-promise promise?)
    ((scheme load) load)
    ((scheme process-context)
     command-line emergency-exit exit get-environment-variable
     get-environment-variables)
    ((scheme read) read)
    ((scheme repl) interaction-environment)
    ((scheme time) current-jiffy current-second jiffies-per-second)
    ((scheme write) display write write-shared write-simple)
    ((scheme r5rs)
     * + - / < <= = > >= abs acos and angle append apply asin assoc assq assv
     atan begin boolean? caaaar caaadr caaar caadar caaddr caadr caar cadaar
     cadadr cadar caddar cadddr caddr cadr call-with-current-continuation
     call-with-input-file call-with-output-file call-with-values car case cdaaar
     cdaadr cdaar cdadar cdaddr cdadr cdar cddaar cddadr cddar cdddar cddddr
     cdddr cddr cdr ceiling char->integer char-alphabetic? char-ci<=? char-ci<?
     char-ci=? char-ci>=? char-ci>? char-downcase char-lower-case? char-numeric?
     char-ready? char-upcase char-upper-case? char-whitespace? char<=? char<?
     char=? char>=? char>? char? close-input-port close-output-port complex?
     cond cons cos current-input-port current-output-port define define-syntax
     delay denominator display do dynamic-wind eof-object? eq? equal? eqv? eval
     even? exact->inexact exact? exp expt floor for-each force gcd if imag-part
     inexact->exact inexact? input-port? integer->char integer?
     interaction-environment lambda lcm length let let* let-syntax letrec
     letrec-syntax list list->string list->vector list-ref list-tail list? load
     log magnitude make-polar make-rectangular make-string make-vector map max
     member memq memv min modulo negative? newline not null-environment null?
     number->string number? numerator odd? open-input-file open-output-file or
     output-port? pair? peek-char positive? procedure? quasiquote quote quotient
     rational? rationalize read read-char real-part real? remainder reverse
     round scheme-report-environment set! set-car! set-cdr! sin sqrt string
     string->list string->number string->symbol string-append string-ci<=?
     string-ci<? string-ci=? string-ci>=? string-ci>? string-copy string-fill!
     string-length string-ref string-set! string<=? string<? string=? string>=?
     string>? string? substring symbol->string symbol? tan truncate values
     vector vector->list vector-fill! vector-length vector-ref vector-set!
     vector? with-input-from-file with-output-to-file write write-char zero?)))

;; Names a standard library lists that the system does not define (should
;; be empty; checked by the tests).
(define %standard-library-missing '())

(define (%define-system-library! name symbols)
  (%register-library!
   (%make-library name (%system-environment)
                  (let loop ((s symbols) (acc '()))
                    (if (null? s)
                        (reverse acc)
                        (let ((d (%env-lookup (%system-environment) (car s))))
                          (if (not d)
                              (set! %standard-library-missing
                                    (cons (list name (car s)) %standard-library-missing)))
                          (loop (cdr s) (if d (cons (cons (car s) d) acc) acc))))))))

;;; ---- the search path ----

(define %program-directory #f)  ; set by %run-program

(define (%library-search-path)
  (let ((lp (%library-path)))
    (append (if (pair? lp) (car lp) '())
            (list (or %program-directory "."))
            (if (pair? lp) (cdr lp) '()))))

;; "a/b/1.sld" for (a b 1)
(define (%library-file-name name)
  (let loop ((parts name) (acc ""))
    (let ((part (let ((p (car parts)))
                  (if (symbol? p) (symbol->string p) (number->string p)))))
      (if (null? (cdr parts))
          (string-append acc part ".sld")
          (loop (cdr parts) (string-append acc part "/"))))))

(define (%path-join dir file)
  (cond ((or (string=? dir "") (string=? dir ".")) file)
        ((and (> (string-length file) 0) (char=? (string-ref file 0) #\/)) file)
        ((char=? (string-ref dir (- (string-length dir) 1)) #\/) (string-append dir file))
        (else (string-append dir "/" file))))

;; "a/b" for "a/b/c.scm", "." for "c.scm"
(define (%path-directory path)
  (let loop ((i (- (string-length path) 1)))
    (cond ((< i 0) ".")
          ((char=? (string-ref path i) #\/) (if (= i 0) "/" (substring path 0 i)))
          (else (loop (- i 1))))))

(define (%find-library-file name)
  (let ((file (%library-file-name name)))
    (let loop ((dirs (%library-search-path)))
      (cond ((null? dirs) #f)
            ((file-exists? (%path-join (car dirs) file)) (%path-join (car dirs) file))
            (else (loop (cdr dirs)))))))

;; The library called name, loading its file if need be; form is the
;; import (for error reports).
(define (%find-library name form)
  (or (%registered-library name)
      (begin
        (if (member name %libraries-loading)
            (syntax-error "import: circular import of library" name))
        (let ((path (%find-library-file name)))
          (if (not path)
              (syntax-error (string-append "import: library " (%write-string name)
                                           " not found; looked for "
                                           (%library-file-name name) " in:")
                            (%library-search-path)))
          (set! %libraries-loading (cons name %libraries-loading))
          (dynamic-wind
           (lambda () #f)
           (lambda () (%load-library-file path))
           (lambda () (set! %libraries-loading (delete name %libraries-loading))))
          (or (%registered-library name)
              (syntax-error (string-append "import: " path " does not define library")
                            name))))))

(define (%write-string x)
  (let ((p (open-output-string))) (write x p) (get-output-string p)))

;; A library file holds define-library forms (and nothing else).
(define (%load-library-file path)
  (for-each (lambda (form)
              (if (and (pair? form) (eq? (car form) 'define-library))
                  (%define-library form (%path-directory path))
                  (syntax-error (string-append "a library file holds only define-library forms: "
                                               path ":")
                                form)))
            (%read-all (%read-file path) path)))

(define (%library-available? name)
  (and (%library-name? name)
       (or (%registered-library name) (%find-library-file name))
       #t))

;;; ---- public: the search path and what libraries export ----

;; (library-directories): the directories searched, in order.
(define (library-directories) (%library-search-path))

;; (add-library-directory! dir [at-end]): search dir first (or last).
(define (add-library-directory! dir . at-end)
  (if (not (string? dir)) (error "add-library-directory!: expected a string, got" dir))
  (let* ((lp (%library-path))
         (front (if (pair? lp) (car lp) '()))
         (back (if (pair? lp) (cdr lp) '())))
    (%set-library-path! (if (and (pair? at-end) (car at-end))
                            (cons front (append back (list dir)))
                            (cons (cons dir front) back)))))

;; (library-exports name): the names library name exports (loading it if
;; need be).
(define (library-exports name)
  (if (not (%library-name? name)) (error "library-exports: not a library name:" name))
  (map car (%library-exports (%find-library name name))))

;; (library-names): the names of the libraries defined so far.
(define (library-names) (map car %libraries))

;;; ---- import sets ----

;; The bindings an import set gives: an alist symbol -> denotation.
(define (%import-set-bindings set form)
  (let ((s (syntax->datum set)))
    (define (check-ids ids bindings what)
      (for-each (lambda (id)
                  (if (not (symbol? id)) (syntax-error (string-append "import: " what ": not an identifier:") id))
                  (if (not (assq id bindings))
                      (syntax-error (string-append "import: " what ": not exported:") id)))
                ids))
    (cond ((and (pair? s) (eq? (car s) 'only) (pair? (cdr s)))
           (let ((b (%import-set-bindings (cadr s) form)))
             (check-ids (cddr s) b "only")
             (filter (lambda (p) (memq (car p) (cddr s))) b)))
          ((and (pair? s) (eq? (car s) 'except) (pair? (cdr s)))
           (let ((b (%import-set-bindings (cadr s) form)))
             (check-ids (cddr s) b "except")
             (remove (lambda (p) (memq (car p) (cddr s))) b)))
          ((and (pair? s) (eq? (car s) 'prefix) (pair? (cdr s)) (pair? (cddr s)) (null? (cdddr s)))
           (if (not (symbol? (caddr s))) (syntax-error "import: prefix: not an identifier:" (caddr s)))
           (let ((p (symbol->string (caddr s))))
             (map (lambda (b) (cons (string->symbol (string-append p (symbol->string (car b)))) (cdr b)))
                  (%import-set-bindings (cadr s) form))))
          ((and (pair? s) (eq? (car s) 'rename) (pair? (cdr s)))
           (let ((b (%import-set-bindings (cadr s) form))
                 (renames (cddr s)))
             (for-each (lambda (r)
                         (if (not (and (list? r) (= (length r) 2) (symbol? (car r)) (symbol? (cadr r))))
                             (syntax-error "import: rename: expected (old new):" r)))
                       renames)
             (check-ids (map car renames) b "rename")
             (map (lambda (p)
                    (let ((r (assq (car p) renames)))
                      (if r (cons (cadr r) (cdr p)) p)))
                  b)))
          ((%library-name? s)
           (%library-exports (%find-library s form)))
          (else (syntax-error "import: bad import set:" set)))))

;; Bind in env what each import set of (import set ...) gives.  Outside
;; the interaction environment, importing one name with two different
;; bindings is an error.
(define (%import-into! form env)
  (if (not (list? form)) (syntax-error "import: bad syntax:" form))
  (let ((strict (not (eq? env (interaction-environment)))))
    (for-each
     (lambda (set)
       (for-each (lambda (b)
                   (let ((old (%env-lookup env (car b))))
                     (if (and strict old (not (eq? old (cdr b))))
                         (syntax-error "import: imported twice with different bindings:" (car b)))
                     (%env-bind! env (car b) (cdr b))))
                 (%import-set-bindings set form)))
     (cdr form))))

;;; ---- define-library ----

;; (define-library name declaration ...); dir is where relative include
;; file names are looked up.
(define (%define-library form dir)
  (if (not (and (list? form) (>= (length form) 2)))
      (syntax-error "define-library: bad syntax:" form))
  (let ((name (syntax->datum (cadr form))))
    (if (not (%library-name? name))
        (syntax-error "define-library: bad library name (a list of identifiers and integers):" (cadr form)))
    (let ((env (%make-environment name))
          (exports '()))            ; specs, in reverse
      (define (declaration d dir)
        (let ((head (and (pair? d) (syntax->datum (car d)))))
          (if (not (list? d)) (syntax-error "define-library: bad declaration:" d))
          (case head
            ((export) (set! exports (append (reverse (cdr d)) exports)))
            ((import) (%import-into! d env))
            ((begin) (for-each (lambda (x) (eval x env)) (cdr d)))
            ((include include-ci)
             (for-each (lambda (x) (eval x env))
                       (%include-forms d dir (eq? head 'include-ci))))
            ((include-library-declarations)
             (for-each (lambda (file)
                         (let ((path (%include-path file dir d)))
                           (for-each (lambda (x) (declaration x (%path-directory path)))
                                     (%read-all (%read-file path) path))))
                       (cdr d)))
            ((cond-expand)
             ;; (begin decl ...), or no declarations when nothing matched
             (let loop ((clauses (cdr d)))
               (cond ((null? clauses))
                     ((not (pair? (car clauses)))
                      (syntax-error "cond-expand: bad clause:" (car clauses)))
                     ((%feature-match? (caar clauses) (%system-environment))
                      (for-each (lambda (x) (declaration x dir)) (cdar clauses)))
                     (else (loop (cdr clauses))))))
            (else (syntax-error "define-library: unknown declaration:" d)))))
      (for-each (lambda (d) (declaration d dir)) (cddr form))
      (%register-library!
       (%make-library
        name env
        (map (lambda (spec)
               (let* ((spec (syntax->datum spec))
                      (inside (cond ((symbol? spec) spec)
                                    ((and (list? spec) (= (length spec) 3) (eq? (car spec) 'rename)
                                          (symbol? (cadr spec)) (symbol? (caddr spec)))
                                     (cadr spec))
                                    (else (syntax-error "export: bad export spec:" spec))))
                      (outside (if (symbol? spec) spec (caddr spec)))
                      (d (%env-lookup env inside)))
                 (if (not d)
                     (syntax-error (string-append "define-library " (%write-string name)
                                                  ": exported but not defined:")
                                   inside))
                 (cons outside d)))
             (reverse exports))))
      (if #f #f))))

;;; ---- include ----

;; The file an include form names, relative to dir.
(define (%include-path file dir form)
  (if (not (string? file)) (syntax-error "include: expected a file name string:" form))
  (%path-join dir file))

;; The forms of every file an (include file ...) names, read in order.
(define (%include-forms form dir fold-case)
  (if (not (and (list? form) (pair? (cdr form))))
      (syntax-error "include: expected (include file ...):" form))
  (let loop ((files (cdr form)) (acc '()))
    (if (null? files)
        acc
        (let ((path (%include-path (syntax->datum (car files)) dir form)))
          (loop (cdr files) (append acc (%read-all (%read-file path) path fold-case)))))))

;; The directory of the file form came from (or the program's, or ".").
(define (%form-directory form)
  (let ((loc (and (pair? form) (%pair-location form))))
    (let ((l (and loc (%location->list loc))))
      (if (and l (string? (car l)) (not (memv (string-ref (car l) 0) '(#\<))))
          (%path-directory (car l))
          (or %program-directory ".")))))

;; The expander's entry: (include ...) => (begin form ...)
(define (%expand-include form env)
  (let ((ci (eq? (identifier->symbol (car form)) 'include-ci)))
    (cons 'begin (%include-forms form (%form-directory form) ci))))

;;; ---- environments ----

(define (environment . sets)
  (let ((env (%make-environment 'environment)))
    (%import-into! (cons 'import sets) env)
    env))

(define (scheme-report-environment version)
  (if (not (eqv? version 5)) (error "scheme-report-environment: only version 5 is supported:" version))
  (environment '(scheme r5rs)))

;; The syntax of (scheme r5rs) and nothing else.
(define (null-environment version)
  (if (not (eqv? version 5)) (error "null-environment: only version 5 is supported:" version))
  (let ((env (%make-environment 'null-environment)))
    (for-each (lambda (b)
                (if (not (%cell? (cdr b))) (%env-bind! env (car b) (cdr b))))
              (%library-exports (%registered-library '(scheme r5rs))))
    env))

(define (exact->inexact z) (inexact z))
(define (inexact->exact z) (exact z))

;;; ---- programs ----

(define (%import-form? x) (and (pair? x) (eq? (car x) 'import)))

;; Run the forms of a program.  One that begins with import declarations
;; is an R7RS program: it runs in an environment of its own holding
;; exactly what it imports.  Without them it runs in the interaction
;; environment, which has everything.
(define (%run-program-forms forms)
  (if (and (pair? forms) (%import-form? (car forms)))
      (let ((env (%make-environment 'program)))
        (let loop ((forms forms))
          (if (and (pair? forms) (%import-form? (car forms)))
              (let ((loc (%pair-location (car forms))))
                (if loc (set! %current-location loc))   ; for error reports
                (%import-into! (car forms) env)
                (loop (cdr forms)))
              (%eval-forms forms env))))
      (%eval-forms forms (interaction-environment))))

(define (%eval-forms forms env)
  (let loop ((forms forms) (result (if #f #f)))
    (if (null? forms)
        result
        (loop (cdr forms) (eval (car forms) env)))))
