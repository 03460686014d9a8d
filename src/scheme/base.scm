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
;;; Ports live in port.c; this is the R7RS interface over its primitives.
;;; The reading primitives return #f when the console has nothing yet:
;;; the procedures here then wait (%wait) and ask again.

(define %K-CONSOLE-OUT 0) (define %K-STRING-OUT 1) (define %K-BYTES-OUT 2)
(define %K-STRING-IN 3) (define %K-BYTES-IN 4) (define %K-CONSOLE-IN 5)
(define %F-IN 1) (define %F-OUT 2) (define %F-TEXT 4) (define %F-BIN 8)

(define (%port-flag? p f) (odd? (quotient (%port-flags p) f)))

(define (input-port? x) (and (port? x) (%port-flag? x %F-IN)))
(define (output-port? x) (and (port? x) (%port-flag? x %F-OUT)))
(define (textual-port? x) (and (port? x) (%port-flag? x %F-TEXT)))
(define (binary-port? x) (and (port? x) (%port-flag? x %F-BIN)))
(define (input-port-open? p)
  (unless (input-port? p) (error "input-port-open?: expected an input port, got" p))
  (%port-open? p))
(define (output-port-open? p)
  (unless (output-port? p) (error "output-port-open?: expected an output port, got" p))
  (%port-open? p))

(define (close-input-port p)
  (unless (input-port? p) (error "close-input-port: expected an input port, got" p))
  (close-port p))
(define (close-output-port p)
  (unless (output-port? p) (error "close-output-port: expected an output port, got" p))
  (close-port p))

(define (call-with-port port proc)
  (unless (port? port) (error "call-with-port: expected a port, got" port))
  (call-with-values (lambda () (proc port))
    (lambda vals (close-port port) (apply values vals))))

(define (%port-converter what pred)
  (lambda (p)
    (unless (pred p) (error (string-append what ": expected a port, got") p))
    p))

(define current-output-port
  (make-parameter (%make-port %K-CONSOLE-OUT 1) (%port-converter "current-output-port" output-port?)))
(define current-error-port
  (make-parameter (%make-port %K-CONSOLE-OUT 2) (%port-converter "current-error-port" output-port?)))
(define current-input-port
  (make-parameter (%make-port %K-CONSOLE-IN) (%port-converter "current-input-port" input-port?)))

;; ---- output

(define write-string
  (case-lambda
    ((s) (%port-write-string (current-output-port) s))
    ((s p) (%port-write-string p s))
    ((s p start) (%port-write-string p s start))
    ((s p start end) (%port-write-string p s start end))))
(define write-char
  (case-lambda
    ((c) (%port-write-char (current-output-port) c))
    ((c p) (%port-write-char p c))))
(define newline
  (case-lambda
    (() (%port-write-char (current-output-port) #\newline))
    ((p) (%port-write-char p #\newline))))
(define (%display x p)
  (cond ((string? x) (%port-write-string p x))
        ((char? x) (%port-write-char p x))
        (else (%port-write-string p (%write-to-string x 0)))))
(define display
  (case-lambda
    ((x) (%display x (current-output-port)))
    ((x p) (%display x p))))
(define (%out args) (if (pair? args) (car args) (current-output-port)))
(define (write x . port) (%port-write-string (%out port) (%write-to-string x 1)))
(define (write-shared x . port) (%port-write-string (%out port) (%write-to-string x 2)))
(define (write-simple x . port) (%port-write-string (%out port) (%write-to-string x 3)))
(define flush-output-port
  (case-lambda
    (() (%port-flush (current-output-port)))
    ((p) (%port-flush p))))
(define write-u8
  (case-lambda
    ((b) (%write-u8 (current-output-port) b))
    ((b p) (%write-u8 p b))))
(define write-bytevector
  (case-lambda
    ((bv) (%write-bytevector (current-output-port) bv))
    ((bv p) (%write-bytevector p bv))
    ((bv p start) (%write-bytevector p bv start))
    ((bv p start end) (%write-bytevector p bv start end))))

(define (open-output-string) (%make-port %K-STRING-OUT))
(define (get-output-string p) (%port-take-output p))
(define (open-output-bytevector) (%make-port %K-BYTES-OUT))
(define (call-with-output-string proc)
  (let ((p (open-output-string)))
    (proc p)
    (get-output-string p)))
(define (with-output-to-string thunk)
  (let ((p (open-output-string)))
    (parameterize ((current-output-port p)) (thunk))
    (get-output-string p)))

;; ---- input

(define (open-input-string s) (%make-port %K-STRING-IN s))
(define (open-input-bytevector bv) (%make-port %K-BYTES-IN bv))

(define (%read-char-wait p peek)
  (let ((c (%read-char p peek)))
    (if c c (begin (%wait) (%read-char-wait p peek)))))
(define read-char
  (case-lambda
    (() (%read-char-wait (current-input-port) #f))
    ((p) (or (%read-char p #f) (%read-char-wait p #f)))))
(define peek-char
  (case-lambda
    (() (%read-char-wait (current-input-port) #t))
    ((p) (or (%read-char p #t) (%read-char-wait p #t)))))
(define (char-ready? . port) (%char-ready? (if (pair? port) (car port) (current-input-port))))

(define (%read-line-wait p)
  (let ((l (%read-line p)))
    (if l l (begin (%wait) (%read-line-wait p)))))
(define read-line
  (case-lambda
    (() (%read-line-wait (current-input-port)))
    ((p) (%read-line-wait p))))

(define (%read-string-wait p k)
  (let ((s (%read-string p k)))
    (if s s (begin (%wait) (%read-string-wait p k)))))
(define read-string
  (case-lambda
    ((k) (%read-string-wait (current-input-port) k))
    ((k p) (%read-string-wait p k))))

(define (%read-u8-wait p peek)
  (let ((b (%read-u8 p peek)))
    (if b b (begin (%wait) (%read-u8-wait p peek)))))
(define read-u8
  (case-lambda
    (() (%read-u8-wait (current-input-port) #f))
    ((p) (%read-u8-wait p #f))))
(define peek-u8
  (case-lambda
    (() (%read-u8-wait (current-input-port) #t))
    ((p) (%read-u8-wait p #t))))
(define (u8-ready? . port) (%u8-ready? (if (pair? port) (car port) (current-input-port))))

(define (%read-bytevector-wait! p bv start end)
  (let ((n (%read-bytevector! p bv start end)))
    (if n n (begin (%wait) (%read-bytevector-wait! p bv start end)))))
(define (read-bytevector! bv . args)
  (let* ((p (if (pair? args) (car args) (current-input-port)))
         (start (if (and (pair? args) (pair? (cdr args))) (cadr args) 0))
         (end (if (and (pair? args) (pair? (cdr args)) (pair? (cddr args))) (caddr args)
                  (if (bytevector? bv) (bytevector-length bv) 0))))
    (%read-bytevector-wait! p bv start end)))
(define (read-bytevector k . port)
  (let ((p (if (pair? port) (car port) (current-input-port))))
    (unless (and (exact-integer? k) (>= k 0))
      (error "read-bytevector: expected a non-negative exact integer, got" k))
    (if (= k 0)
        (bytevector)
        (let* ((bv (make-bytevector k))
               (n (%read-bytevector-wait! p bv 0 k)))
          (cond ((eof-object? n) n)
                ((= n k) bv)
                (else (bytevector-copy bv 0 n)))))))

;; Append more input to p's read-ahead text: #t, or #f at end of input.
;; Waits while the console has nothing.
(define (%port-more-text! p)
  (let* ((t (%port-text p))
         (text (if t (car t) ""))
         (pos (if t (cdr t) 0))
         (rest (substring text pos (string-length text))))
    (%port-unread-text! p "" 0)
    (let loop ()
      (let ((more (%port-take-text p (max 4096 (string-length rest)))))
        (cond ((not more) (%wait) (loop))
              (else
               (%port-unread-text! p (string-append rest more) 0)
               (> (string-length more) 0)))))))

;; (read [port]): a datum.  The text is parsed from the port's read-ahead
;; text, fetching more while the datum is incomplete (or ends exactly
;; where the text does: it may go on).
(define (read . port)
  (let* ((p (if (pair? port) (car port) (current-input-port)))
         (string-port (and (port? p) (= (%port-kind p) %K-STRING-IN))))
    (unless (and (input-port? p) (textual-port? p))
      (error "read: expected a textual input port, got" p))
    (unless (%port-open? p) (error "read: the port is closed:" p))
    (let loop ((at-end string-port))
      (let* ((t (%port-text p))
             (text (if t (car t) ""))
             (pos (if t (cdr t) 0))
             (state (vector pos 1 0 0 (%port-fold-case p) 0))
             (datum (guard (e (#t (%port-unread-text! p text (vector-ref state 0)) (raise e)))
                      (%read-from-string text state)))
             (end (vector-ref state 0)))
        (case (vector-ref state 5)
          ((0)
           (if (and (not at-end) (= end (string-length text)))
               (loop (not (%port-more-text! p)))
               (begin
                 (%port-unread-text! p text end)
                 ;; #!fold-case and #!no-fold-case last for the rest of the port
                 (%port-fold-case p (vector-ref state 4))
                 datum)))
          ((1)
           (if at-end
               (begin (%port-unread-text! p text (string-length text)) (eof-object))
               (loop (not (%port-more-text! p)))))
          (else
           (if at-end
               (begin
                 (%port-unread-text! p text (string-length text))
                 (raise (%make-condition 'read-error "unexpected end of input in a datum" '())))
               (loop (not (%port-more-text! p))))))))))

;; ---- files (scheme file)

(define (open-input-file name) (%open-file name 0 #f))
(define (open-binary-input-file name) (%open-file name 0 #t))
(define (open-output-file name . append?)
  (%open-file name (if (and (pair? append?) (car append?)) 2 1) #f))
(define (open-binary-output-file name . append?)
  (%open-file name (if (and (pair? append?) (car append?)) 2 1) #t))
(define (call-with-input-file name proc) (call-with-port (open-input-file name) proc))
(define (call-with-output-file name proc) (call-with-port (open-output-file name) proc))
(define (with-input-from-file name thunk)
  (let ((p (open-input-file name)))
    (call-with-values (lambda () (parameterize ((current-input-port p)) (thunk)))
      (lambda vals (close-port p) (apply values vals)))))
(define (with-output-to-file name thunk)
  (let ((p (open-output-file name)))
    (call-with-values (lambda () (parameterize ((current-output-port p)) (thunk)))
      (lambda vals (close-port p) (apply values vals)))))


;;; ---- evaluation ----

(define (eval x . env)
  (let ((env (if (pair? env) (car env) (interaction-environment))))
    ((%compile (%expand x env) env))))

;; Read every datum of string `text' (from file `name'), then evaluate each
;; in env; the value of the last.  Reading everything first makes the rest
;; of the program part of every continuation captured at its top level.
(define (%read-all text name . fold-case)
  (let ((state (vector 0 1 0 (%register-file name) (and (pair? fold-case) (car fold-case)) 0 #f)))
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

;; (collect-garbage): a full collection now (unreachable file ports are
;; flushed and closed by it).
(define (collect-garbage) (%gc #t))
