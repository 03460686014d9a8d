;;; framework.scm -- a small test framework for Pith's Scheme tests.
;;;
;;;   (test name expected expr)      expr must be equal? to expected
;;;   (test-assert name expr)        expr must be true
;;;   (test-error name expr)         expr must raise (any object)
;;;   (test-error-kind name kind expr)  ... an error object of that kind
;;;   (test-group name body ...)     a name prefix for the tests inside
;;;
;;; Each failure prints the test's name, file and what was wrong; the
;;; runner (tests/run.scm) prints "N passed, M failed" as its last line.
;;;
;;; SPDX-License-Identifier: MIT

(define %test-passed 0)
(define %test-failed 0)
(define %test-prefix '())

(define (%test-name name)
  (if (null? %test-prefix)
      name
      (string-append (apply string-append (map (lambda (p) (string-append p ": ")) (reverse %test-prefix)))
                     name)))

(define (%test-pass) (set! %test-passed (+ %test-passed 1)))

(define (%test-fail name fmt . args)
  (set! %test-failed (+ %test-failed 1))
  (display "FAIL: " (current-error-port))
  (display (%test-name name) (current-error-port))
  (display ": " (current-error-port))
  (display fmt (current-error-port))
  (for-each (lambda (a) (display " " (current-error-port)) (write a (current-error-port))) args)
  (newline (current-error-port)))

;; Run thunk; (ok . value) or (error . condition)
(define (%test-run thunk)
  (call/cc
   (lambda (k)
     (with-exception-handler
      (lambda (e) (k (cons 'error e)))
      (lambda () (cons 'ok (thunk)))))))

(define (%describe-error e)
  (if (error-object? e)
      (cons (error-object-message e) (error-object-irritants e))
      e))

(define (%test-equal name expected thunk)
  (let ((r (%test-run thunk)))
    (cond ((eq? (car r) 'error)
           (%test-fail name "raised" (%describe-error (cdr r))))
          ((equal? (cdr r) expected) (%test-pass))
          (else (%test-fail name "expected" expected "got" (cdr r))))))

(define (%test-assert name thunk)
  (let ((r (%test-run thunk)))
    (cond ((eq? (car r) 'error) (%test-fail name "raised" (%describe-error (cdr r))))
          ((cdr r) (%test-pass))
          (else (%test-fail name "was false")))))

(define (%test-error name kind thunk)
  (let ((r (%test-run thunk)))
    (cond ((eq? (car r) 'ok) (%test-fail name "no error; got" (cdr r)))
          ((not kind) (%test-pass))
          ((and (error-object? (cdr r)) (eq? (condition-kind (cdr r)) kind)) (%test-pass))
          (else (%test-fail name "wrong kind of error" kind (%describe-error (cdr r)))))))

(define-syntax test
  (syntax-rules ()
    ((_ name expected expr) (%test-equal name expected (lambda () expr)))))

(define-syntax test-assert
  (syntax-rules ()
    ((_ name expr) (%test-assert name (lambda () expr)))))

(define-syntax test-error
  (syntax-rules ()
    ((_ name expr) (%test-error name #f (lambda () expr)))))

(define-syntax test-error-kind
  (syntax-rules ()
    ((_ name kind expr) (%test-error name 'kind (lambda () expr)))))

(define-syntax test-group
  (syntax-rules ()
    ((_ name body ...)
     (begin
       (set! %test-prefix (cons name %test-prefix))
       body ...
       (set! %test-prefix (cdr %test-prefix))))))
