;;; base.scm -- the parts of (scheme base) and friends written in Scheme:
;;; continuations with dynamic-wind, exceptions, parameters, promises,
;;; records, higher-order procedures, and the basic port layer.
;;;
;;; Core C never calls Scheme (DESIGN.md): everything that takes a
;;; procedure argument lives here or in the VM.
;;;
;;; SPDX-License-Identifier: MIT

;;; ---- continuations and dynamic-wind ----

;; The dynamic-wind entries in effect, innermost first: (before . after).
(define %winders '())

(define (dynamic-wind before thunk after)
  (before)
  (set! %winders (cons (cons before after) %winders))
  (let ((result (thunk)))
    (set! %winders (cdr %winders))
    (after)
    result))

;; Run the afters out of `from' and the befores into `to' (lists of
;; winders), outermost common part untouched.
(define (%travel from to)
  (let* ((lf (length from)) (lt (length to))
         (from* (list-tail from (max 0 (- lf lt))))
         (to* (list-tail to (max 0 (- lt lf)))))
    (let common ((f from*) (t to*))
      (if (eq? f t)
          (begin
            (let unwind ((l from))
              (unless (eq? l f)
                (set! %winders (cdr l))
                ((cdar l))
                (unwind (cdr l))))
            (let rewind ((l to))
              (unless (eq? l f)
                (rewind (cdr l))
                ((caar l))
                (set! %winders l))))
          (common (cdr f) (cdr t))))))

(define (call-with-current-continuation f)
  (%call/cc
   (lambda (k)
     (let ((saved %winders))
       (f (lambda vals
            (unless (eq? %winders saved) (%travel %winders saved))
            (apply k vals)))))))

(define call/cc call-with-current-continuation)

(define (call-with-values producer consumer)
  (apply consumer (%values->list (producer))))

;;; ---- exceptions (R7RS 6.11) ----

;; The handlers in effect, innermost first.
(define %handlers '())

(define (with-exception-handler handler thunk)
  (unless (procedure? handler) (error "with-exception-handler: expected a procedure, got" handler))
  (unless (procedure? thunk) (error "with-exception-handler: expected a procedure, got" thunk))
  (let ((outer %handlers))
    (dynamic-wind
     (lambda () (set! %handlers (cons handler outer)))
     thunk
     (lambda () (set! %handlers outer)))))

;; Call handler on obj with the outer handlers installed.
(define (%call-handler handlers obj)
  (let ((saved %handlers))
    (dynamic-wind
     (lambda () (set! %handlers (cdr handlers)))
     (lambda () ((car handlers) obj))
     (lambda () (set! %handlers saved)))))

(define (raise obj)
  (let ((handlers %handlers))
    (if (null? handlers)
        (%abort obj)
        (begin
          (%call-handler handlers obj)
          ;; A handler returned from a non-continuable raise: that is an
          ;; error in the dynamic environment of the outer handler.
          (set! %handlers (cdr handlers))
          (raise (%make-condition 'error "handler returned from a non-continuable raise of" (list obj)))))))

(define (raise-continuable obj)
  (let ((handlers %handlers))
    (if (null? handlers)
        (%abort obj)
        (%call-handler handlers obj))))

(define (error message . irritants)
  (raise (%make-condition 'error
                          (if (string? message) message (%write-to-string message 0))
                          irritants)))

(define (error-object-message e)
  (if (error-object? e) (%condition-message e) ""))
(define (error-object-irritants e)
  (if (error-object? e) (%condition-irritants e) '()))
(define (read-error? e) (and (error-object? e) (eq? (%condition-kind e) 'read-error)))
(define (file-error? e) (and (error-object? e) (eq? (%condition-kind e) 'file-error)))
(define (condition-kind e) (and (error-object? e) (%condition-kind e)))

(define (exit . status)
  ;; run every outstanding dynamic-wind after
  (%travel %winders '())
  (flush-output-port (current-output-port))
  (flush-output-port (current-error-port))
  (%exit (if (null? status) 0 (car status))))

;;; ---- parameters ----

(define (make-parameter value . converter)
  (let ((conv (if (pair? converter) (car converter) #f)))
    (%make-parameter-object (if conv (conv value) value) conv)))

(define (%parameterize params values thunk)
  (for-each (lambda (p) (unless (%parameter? p) (error "parameterize: not a parameter:" p))) params)
  (let* ((new (map (lambda (p v)
                     (let ((conv (%parameter-converter p)))
                       (if conv (conv v) v)))
                   params values))
         (swap! (lambda ()
                  (let ((old (map (lambda (p) (p)) params)))
                    (for-each %parameter-set! params new)
                    (set! new old)))))
    (dynamic-wind swap! thunk swap!)))

;;; ---- promises (R7RS 4.2.5: iterative forcing) ----

(define %promise-type #f)
(define (%make-promise done? value) (%record %promise-type (cons done? value)))
(define (promise? x) (%record? x %promise-type))
(define (make-promise obj) (if (promise? obj) obj (%make-promise #t obj)))
(define (%promise-box p) (%record-ref p %promise-type 1))

;; done? and value live in a shared box so a delay-force chain can be
;; forced in constant space.
(define (%promise-done? p) (car (%promise-box p)))
(define (%promise-value p) (cdr (%promise-box p)))

(define (force promise)
  (if (not (promise? promise))
      promise
      (if (%promise-done? promise)
          (%promise-value promise)
          (let ((promise* ((%promise-value promise))))
            (unless (%promise-done? promise)
              (%promise-update! promise* promise))
            (force promise)))))

(define (%promise-update! new old)
  (let ((new (make-promise new)))
    (set-car! (%promise-box old) (%promise-done? new))
    (set-cdr! (%promise-box old) (%promise-value new))
    (%record-set! new %promise-type 1 (%promise-box old))))

;;; ---- records ----

;; A record type is itself a record: #(#f name field-names).
(define (%make-record-type name fields) (%record #f name fields))
(set! %promise-type (%make-record-type 'promise '#(box)))

(define (record? x) (and (%record? x) (not (eq? (%record-rtd x) #f))))

;;; ---- higher-order procedures ----

(define (list-set! l k obj) (set-car! (list-tail l k) obj))

;; vector-map and string-map collect into a list first, for the same reason
;; as map (no mutation of a result already returned).
(define (vector-map f v . vs)
  (if (null? vs)
      (let ((n (vector-length v)))
        (let loop ((i 0) (acc '()))
          (if (= i n)
              (list->vector (reverse acc))
              (loop (+ i 1) (cons (f (vector-ref v i)) acc)))))
      (list->vector (apply map f (vector->list v) (map vector->list vs)))))

(define (vector-for-each f v . vs)
  (if (null? vs)
      (let ((n (vector-length v)))
        (do ((i 0 (+ i 1))) ((= i n))
          (f (vector-ref v i))))
      (apply for-each f (vector->list v) (map vector->list vs))))

(define (string-map f s . ss)
  (if (null? ss)
      (let ((n (string-length s)))
        (let loop ((i 0) (acc '()))
          (if (= i n)
              (list->string (reverse acc))
              (loop (+ i 1) (cons (f (string-ref s i)) acc)))))
      (list->string (apply map f (string->list s) (map string->list ss)))))

(define (string-for-each f s . ss)
  (if (null? ss)
      (let ((n (string-length s)))
        (do ((i 0 (+ i 1))) ((= i n))
          (f (string-ref s i))))
      (apply for-each f (string->list s) (map string->list ss))))

;;; ---- numbers ----

(define (floor/ n d) (values (floor-quotient n d) (floor-remainder n d)))
(define (floor-remainder n d) (modulo n d))
(define (truncate/ n d) (values (quotient n d) (remainder n d)))
(define (truncate-quotient n d) (quotient n d))
(define (truncate-remainder n d) (remainder n d))
(define (exact-integer-sqrt n)
  (let ((p (%exact-integer-sqrt n))) (values (car p) (cdr p))))
(define exact->inexact inexact)
(define inexact->exact exact)

;;; ---- ports ----
;;; A port is a PORT object: kind, flags, handle, buffer, position, name.
;;; Output to the console and to strings is done in C; input ports are
;;; string ports and the console, read here.

(define %P-KIND 0) (define %P-FLAGS 1) (define %P-HANDLE 2)
(define %P-BUF 3) (define %P-POS 4) (define %P-NAME 5)
(define %F-IN 1) (define %F-OUT 2) (define %F-TEXT 4) (define %F-BIN 8) (define %F-OPEN 16)
(define %K-CONSOLE 0) (define %K-STRING-OUT 1) (define %K-STRING-IN 2) (define %K-CONSOLE-IN 3)

(define (%port-flag? p f) (odd? (quotient (%port-ref p %P-FLAGS) f)))

(define (input-port? x) (and (port? x) (%port-flag? x %F-IN)))
(define (output-port? x) (and (port? x) (%port-flag? x %F-OUT)))
(define (textual-port? x) (and (port? x) (%port-flag? x %F-TEXT)))
(define (binary-port? x) (and (port? x) (%port-flag? x %F-BIN)))
(define (input-port-open? p) (and (input-port? p) (%port-flag? p %F-OPEN)))
(define (output-port-open? p) (and (output-port? p) (%port-flag? p %F-OPEN)))

(define (close-port p)
  (unless (port? p) (error "close-port: expected a port, got" p))
  (when (%port-flag? p %F-OPEN)
    (%port-set! p %P-FLAGS (- (%port-ref p %P-FLAGS) %F-OPEN))))
(define (close-input-port p) (close-port p))
(define (close-output-port p) (close-port p))

(define current-output-port
  (make-parameter (%make-port %K-CONSOLE 1 (+ %F-OUT %F-TEXT %F-OPEN))))
(define current-error-port
  (make-parameter (%make-port %K-CONSOLE 2 (+ %F-OUT %F-TEXT %F-OPEN))))
(define current-input-port
  (make-parameter (let ((p (%make-port %K-CONSOLE-IN 0 (+ %F-IN %F-TEXT %F-OPEN))))
                    (%port-set! p %P-BUF "")
                    (%port-set! p %P-POS 0)
                    p)))

(define (%out args)
  (if (pair? args) (car args) (current-output-port)))

(define (write-string s . args)
  (apply %port-write-string (%out args) s (if (pair? args) (cdr args) '())))
(define (write-char c . port) (%port-write-char (%out port) c))
(define (newline . port) (%port-write-char (%out port) #\newline))
(define (display x . port)
  (let ((p (%out port)))
    (cond ((string? x) (%port-write-string p x))
          ((char? x) (%port-write-char p x))
          (else (%port-write-string p (%write-to-string x 0))))))
(define (write x . port) (%port-write-string (%out port) (%write-to-string x 1)))
(define (write-shared x . port) (%port-write-string (%out port) (%write-to-string x 2)))
(define (write-simple x . port) (%port-write-string (%out port) (%write-to-string x 3)))
(define (flush-output-port . port) (%port-flush (%out port)))

(define (open-output-string) (%make-port %K-STRING-OUT 0 (+ %F-OUT %F-TEXT %F-OPEN)))
(define (get-output-string p) (%port-take-output p))
(define (call-with-output-string proc)
  (let ((p (open-output-string)))
    (proc p)
    (get-output-string p)))
(define (with-output-to-string thunk)
  (let ((p (open-output-string)))
    (parameterize ((current-output-port p)) (thunk))
    (get-output-string p)))

(define (open-input-string s)
  (unless (string? s) (error "open-input-string: expected a string, got" s))
  (let ((p (%make-port %K-STRING-IN 0 (+ %F-IN %F-TEXT %F-OPEN))))
    (%port-set! p %P-BUF s)
    (%port-set! p %P-POS 0)
    p))

(define (%in args)
  (let ((p (if (pair? args) (car args) (current-input-port))))
    (unless (input-port? p) (error "expected an input port, got" p))
    (unless (%port-flag? p %F-OPEN) (error "input port is closed:" p))
    p))

;; Make sure the port's buffer has unread text; #f at end of input.  The
;; console is read in chunks, waiting when nothing is ready.
(define (%fill! p)
  (or (< (%port-ref p %P-POS) (string-length (%port-ref p %P-BUF)))
      (and (= (%port-ref p %P-KIND) %K-CONSOLE-IN)
           (let loop ()
             (let ((chunk (%console-read)))
               (cond ((eof-object? chunk) #f)
                     ((not chunk) (%wait) (loop))
                     ((= (string-length chunk) 0) (loop))
                     (else
                      (%port-set! p %P-BUF (string-append
                                            (substring (%port-ref p %P-BUF) (%port-ref p %P-POS))
                                            chunk))
                      (%port-set! p %P-POS 0)
                      #t)))))))

(define (read-char . port)
  (let ((p (%in port)))
    (if (%fill! p)
        (let ((pos (%port-ref p %P-POS)))
          (%port-set! p %P-POS (+ pos 1))
          (string-ref (%port-ref p %P-BUF) pos))
        (eof-object))))

(define (peek-char . port)
  (let ((p (%in port)))
    (if (%fill! p)
        (string-ref (%port-ref p %P-BUF) (%port-ref p %P-POS))
        (eof-object))))

(define (char-ready? . port)
  (let ((p (%in port)))
    (or (< (%port-ref p %P-POS) (string-length (%port-ref p %P-BUF)))
        (not (= (%port-ref p %P-KIND) %K-CONSOLE-IN))
        (let ((chunk (%console-read)))
          (cond ((eof-object? chunk) #t)
                ((not chunk) #f)
                (else
                 (%port-set! p %P-BUF (string-append (substring (%port-ref p %P-BUF) (%port-ref p %P-POS)) chunk))
                 (%port-set! p %P-POS 0)
                 #t))))))

(define (read-line . port)
  (let ((p (%in port)))
    (let loop ((acc '()))
      (if (not (%fill! p))
          (if (null? acc) (eof-object) (apply string-append (reverse acc)))
          (let* ((buf (%port-ref p %P-BUF)) (pos (%port-ref p %P-POS))
                 (nl (%string-index buf #\newline pos)))
            (if nl
                (begin
                  (%port-set! p %P-POS (+ nl 1))
                  (apply string-append (reverse (cons (substring buf pos nl) acc))))
                (begin
                  (%port-set! p %P-POS (string-length buf))
                  (loop (cons (substring buf pos (string-length buf)) acc)))))))))

(define (read-string k . port)
  (let ((p (%in port)))
    (let loop ((k k) (acc '()))
      (if (or (= k 0) (not (%fill! p)))
          (if (and (null? acc) (> k 0)) (eof-object) (apply string-append (reverse acc)))
          (let* ((buf (%port-ref p %P-BUF)) (pos (%port-ref p %P-POS))
                 (n (min k (- (string-length buf) pos))))
            (%port-set! p %P-POS (+ pos n))
            (loop (- k n) (cons (substring buf pos (+ pos n)) acc)))))))

;; (read [port]): a datum; more input is read while the datum is incomplete.
(define (read . port)
  (let ((p (%in port)))
    (let loop ()
      (let* ((buf (%port-ref p %P-BUF))
             (state (vector (%port-ref p %P-POS) 1 0 0 (eq? (%port-ref p %P-HANDLE) 'fold-case) 0))
             (datum (%read-from-string buf state)))
        ;; #!fold-case and #!no-fold-case last for the rest of the port
        (%port-set! p %P-HANDLE (if (vector-ref state 4) 'fold-case 0))
        (case (vector-ref state 5)
          ((0) (%port-set! p %P-POS (vector-ref state 0)) datum)
          ((1) (%port-set! p %P-POS (string-length buf)) (eof-object))
          (else
           (if (and (= (%port-ref p %P-KIND) %K-CONSOLE-IN)
                    (let ((chunk (let wait () (let ((c (%console-read))) (if c c (begin (%wait) (wait)))))))
                      (and (string? chunk)
                           (begin (%port-set! p %P-BUF (string-append buf chunk)) #t))))
               (loop)
               (raise (%make-condition 'read-error "unexpected end of input in a datum" '())))))))))

(define (eof-object) (%read-from-string "" (vector 0 1 0 0 #f 0)))
(define (eof-object? x) (eq? x (eof-object)))

;;; ---- evaluation ----

(define (environment . specs)
  (for-each (lambda (s)
              (unless (member s %standard-libraries) (error "environment: unknown library:" s)))
            specs)
  (interaction-environment))

(define (eval x . env)
  (let ((env (if (pair? env) (car env) (interaction-environment))))
    ((%compile (%expand x env) env))))

;; Read every datum of string `text' (from file `name'), then evaluate each
;; in env; the value of the last.  Reading everything first makes the rest
;; of the program part of every continuation captured at its top level.
(define (%read-all text name)
  (let ((state (vector 0 1 0 (%register-file name) #f 0 #f)))
    (let loop ((acc '()))
      (let ((datum (%read-from-string text state)))
        (case (vector-ref state 5)
          ((0) (loop (cons datum acc)))
          ((1) (reverse acc))
          (else (raise (%make-condition 'read-error "unexpected end of file: this datum is not closed"
                                        '() #f (vector-ref state 6)))))))))

(define (%eval-text text name env)
  (let loop ((forms (%read-all text name)) (result (if #f #f)))
    (if (null? forms)
        result
        (loop (cdr forms) (eval (car forms) env)))))

(define (load filename . env)
  (%eval-text (%read-file filename) filename (if (pair? env) (car env) (interaction-environment))))

;;; ---- misc ----

(define (features) (%features))
(define (void . args) (if #f #f))

;; The first line of the report the pith command prints for an error.
(define (condition/report-string e)
  (let* ((r (%condition-report e #f)) (n (string-length r)))
    (if (and (> n 0) (char=? (string-ref r (- n 1)) #\newline)) (substring r 0 (- n 1)) r)))
