;;; libraries.scm -- R7RS libraries (5.6), import sets, programs' strict
;;; environments, include, cond-expand features, environment and eval.
;;; The libraries are in tests/scheme/libs/; expected values follow the
;;; report's text (5.2, 5.6, 6.12).
;;; SPDX-License-Identifier: MIT

(define %libs-dir (string-append %runner-dir "scheme/libs"))
(add-library-directory! %libs-dir)

;; the search path: our directory first, then the ones before
(test "add-library-directory! puts a directory first" %libs-dir (car (library-directories)))

;; does evaluating thunk raise an error whose message contains text?
(define (%error-text thunk)
  (call/cc
   (lambda (k)
     (with-exception-handler
      (lambda (e) (k (if (error-object? e)
                         (condition/report-string e)
                         "a non-condition")))
      (lambda () (thunk) #f)))))
(define (%contains? s sub)
  (let ((n (string-length s)) (m (string-length sub)))
    (let loop ((i 0))
      (cond ((> (+ i m) n) #f)
            ((string=? (substring s i (+ i m)) sub) #t)
            (else (loop (+ i 1)))))))
(define-syntax test-message
  (syntax-rules ()
    ((_ name sub expr)
     (test-assert name (let ((t (%error-text (lambda () expr))))
                         (and t (%contains? t sub)))))))

(test-group "define-library"
  ;; an environment holding only what is imported
  (define env (environment '(scheme base) '(test stack)))
  (test "exported procedures" '(2 b 1)
        (eval '(let ((s (make-stack))) (push! s 'a) (push! s 'b) (list (stack-size s) (pop! s) (stack-size s))) env))
  (test-error "the internal name of a renamed export is not visible" (eval 'stack-pop env))
  (test-error "unexported definitions are not visible" (eval 'stack-items env))
  (test-error "unexported helpers are not visible" (eval 'helper env))
  (test "a macro using a private helper" 1
        (eval '(let ((s (make-stack))) (with-pushed s 'x (stack-size s))) env))
  (test "the macro's helper is the library's even where the user binds helper" 1
        (eval '(let ((helper (lambda (s x) 'wrong)) (s (make-stack))) (with-pushed s 'x (stack-size s))) env))
  (test "include-ci folds case" '(hello 5) (eval '(shout 5) env))
  (test "include-library-declarations" 42 ((eval 'twice (environment '(only (test twice) twice))) 21))
  (test "include-library-declarations, called" 42 (eval '(twice 21) (environment '(scheme base) '(test twice))))
  (test "cond-expand among declarations: os feature" 'known (eval 'which-os (environment '(test features))))
  (test "cond-expand (library ...)" 'has-base (eval 'which-scheme (environment '(test features))))
  (test-error "cond-expand with no matching clause adds nothing" (eval 'bogus (environment '(test features))))
  (test "integer parts in library names" 2 (eval 'two (environment '(num 2)))))

(test-group "import sets"
  (test "prefix" '(1 0) (eval '(let ((s (st:make-stack))) (st:push! s 1) (list (st:stack-size s) (begin (st:pop! s) (st:stack-size s))))
                              (environment '(scheme base) '(prefix (test stack) st:))))
  (test "only" 'ok (begin (environment '(only (test stack) make-stack push!)) 'ok))
  (test-error "only: a name not exported" (environment '(only (test stack) stack-items)))
  (test-error "only keeps only the names" (eval 'stack-size (environment '(only (test stack) make-stack))))
  (test "except" 'procedure
        (if (procedure? (eval 'make-stack (environment '(except (test stack) push! pop!)))) 'procedure 'no))
  (test-error "except removes the names" (eval 'push! (environment '(except (test stack) push! pop!))))
  (test-error "except: a name not exported" (environment '(except (test stack) nothing)))
  (test "rename" 3 (eval '(let ((s (new))) (add! s 1) (add! s 2) (add! s 3) (stack-size s))
                         (environment '(scheme base) '(rename (test stack) (make-stack new) (push! add!)))))
  (test-error "rename hides the old name" (eval 'make-stack (environment '(rename (test stack) (make-stack new)))))
  (test-error "rename: a name not exported" (environment '(rename (test stack) (nothing new))))
  (test "nested: prefix of rename of only" 'procedure
        (if (procedure? (eval 'x:new (environment '(prefix (rename (only (test stack) make-stack) (make-stack new)) x:))))
            'procedure 'no))
  (test "a renamed export imported with a prefix" 'b
        (eval '(let ((s (st:make-stack))) (st:push! s 'a) (st:push! s 'b) (st:pop! s))
              (environment '(scheme base) '(prefix (test stack) st:))))
  (test-error "a bad import set" (environment '(only)))
  (test-error "a bad import set: a string" (environment "scheme")))

(test-group "loading"
  (test "a library is loaded once and shared" '(1 3 1)
        (let ((e1 (environment '(test counter)))
              (e2 (environment '(test uses-counter))))
          (let* ((a (eval '(next!) e1))
                 (b (eval '(next-twice!) e2)))
            (list a b (eval 'loads e1)))))
  (test-message "library not found names the file and the path" "test/nowhere.sld"
                (environment '(test nowhere)))
  (test-message "library not found lists the search path" %libs-dir
                (environment '(test nowhere)))
  (test-message "circular imports" "circular" (environment '(test circ-a)))
  (test-message "a file defining another library" "does not define" (environment '(test wrong-name)))
  (test-message "an export that is not defined" "missing" (environment '(test bad-export)))
  (test-error "not a library name" (environment '(1 "x"))))

(test-group "standard libraries"
  (for-each
   (lambda (name)
     (test-assert (let ((p (open-output-string))) (write name p) (string-append "importable: " (get-output-string p)))
                  (environment name)))
   '((scheme base) (scheme case-lambda) (scheme char) (scheme complex) (scheme cxr)
     (scheme eval) (scheme file) (scheme inexact) (scheme lazy) (scheme load)
     (scheme process-context) (scheme read) (scheme repl) (scheme time)
     (scheme write) (scheme r5rs) (pith)))
  (test "exactly the report's names: (scheme case-lambda)" '(case-lambda)
        (library-exports '(scheme case-lambda)))
  (let ((base (library-exports '(scheme base))))
    (for-each (lambda (x) (test-assert (string-append "(scheme base) exports " (symbol->string x)) (memq x base)))
              '(... _ => else guard parameterize define-record-type read-bytevector! exact-integer-sqrt
                truncate/ string->vector vector->string syntax-error features char-ready? u8-ready?))
    (for-each (lambda (x) (test-assert (string-append "(scheme base) does not export " (symbol->string x)) (not (memq x base))))
              '(exact->inexact display write read call-with-input-file char-upcase delay caddr sqrt eval load exit)))
  (test "(scheme char) has 22 names" 22
        (length (library-exports '(scheme char))))
  (test-error "(scheme base) lacks exact->inexact (r5rs only)" (eval 'exact->inexact (environment '(scheme base))))
  (test "(scheme r5rs) has exact->inexact" 0.5 (eval '(exact->inexact 1/2) (environment '(scheme r5rs))))
  (test-error "(scheme base) lacks write" (eval 'write (environment '(scheme base))))
  (test "the syntax of a standard library" 3 (eval '(let loop ((i 0)) (if (< i 3) (loop (+ i 1)) i)) (environment '(scheme base))))
  (test "scheme-report-environment" 6 (eval '(* 2 3) (scheme-report-environment 5)))
  (test "null-environment has syntax" 1 (eval '(if #t 1 2) (null-environment 5)))
  (test-error "null-environment has no procedures" (eval '(car '(1)) (null-environment 5)))
  (test "interaction-environment keeps definitions" 7
        (begin (eval '(define %lib-test-x 7) (interaction-environment))
               (eval '%lib-test-x (interaction-environment))))
  (test "(pith) exports extensions" #t (procedure? (eval 'condition/report-string (environment '(pith))))))

(test-group "eval in environments"
  (define env (environment '(scheme base)))
  (test "definitions in an environment stay there" 5
        (begin (eval '(define five 5) env) (eval 'five env)))
  (test-error "... and not in the interaction environment" (eval 'five (interaction-environment)))
  (test "macros defined by eval" '(2 1)
        (begin (eval '(define-syntax swap (syntax-rules () ((_ a b) (list b a)))) env)
               (eval '(swap 1 2) env)))
  (test "import by eval into an environment" 'b
        (begin (eval '(import (test stack)) env)
               (eval '(let ((s (make-stack))) (push! s 'b) (pop! s)) env))))

(test-group "features"
  (define f (features))
  (for-each (lambda (x) (test-assert (string-append "feature " (symbol->string x)) (memq x f)))
            '(r7rs exact-closed exact-complex ratios full-unicode pith))
  (test-assert "an endianness" (or (memq 'little-endian f) (memq 'big-endian f)))
  (test-assert "an operating system or unikernel" (or (memq 'posix f) (memq 'unikernel f)))
  (test "cond-expand and/or/not" 'yes (cond-expand ((and r7rs (not no-such) (or no-such pith)) 'yes) (else 'no)))
  (test "cond-expand library" 'yes (cond-expand ((library (scheme write)) 'yes) (else 'no)))
  (test "cond-expand missing library" 'no (cond-expand ((library (no such lib)) 'yes) (else 'no))))

