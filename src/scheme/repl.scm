;;; repl.scm -- the REPL, the program runner, and the entry points the VM
;;; and the embedding API call (hooks).
;;;
;;; SPDX-License-Identifier: MIT

;; Report an error on the error port, as the pith command does.
(define (%report-error e)
  (flush-output-port (current-output-port))
  (display (%condition-report e #t) (current-error-port))
  (flush-output-port (current-error-port)))

;; How the REPL shows values: nothing for unspecified, one per line for
;; multiple values.
(define (%repl-print v)
  (let ((vals (%values->list v)))
    (for-each (lambda (x)
                (unless (eq? x (if #f #f))
                  (write x)
                  (newline)))
              vals)))

(define (%eval-string text name) (%eval-text text name (interaction-environment)))

(define (%run-program path)
  (%eval-text (%read-file path) path (interaction-environment)))

;; Run thunk; on an error or an interrupt, report it and return #f.
(define (%repl-guard thunk)
  (call/cc
   (lambda (k)
     (with-exception-handler
      (lambda (e)
        (if (and (error-object? e) (eq? (%condition-kind e) 'interrupt))
            (begin (flush-output-port (current-output-port))
                   (display "\ninterrupted\n" (current-error-port)))
            (%report-error e))
        (k #f))
      thunk))))

(define (%repl)
  (let ((interactive (%console-interactive?))
        (env (interaction-environment))
        (port (current-input-port))
        (done #f))
    (let loop ((prompt "> "))
      (unless done
        (%repl-guard
         (lambda ()
           (let* ((buf (%port-ref port %P-BUF))
                  (state (vector (%port-ref port %P-POS) 1 0 (%register-file "<repl>") #f 0))
                  (datum (call/cc
                          (lambda (k)
                            (with-exception-handler
                             (lambda (e)
                               ;; a syntax error in the input: drop what is buffered
                               (%port-set! port %P-BUF "")
                               (%port-set! port %P-POS 0)
                               (raise e))
                             (lambda () (%read-from-string buf state)))))))
             (case (vector-ref state 5)
               ((0)
                (%port-set! port %P-POS (vector-ref state 0))
                (%repl-print (eval datum env))
                (set! prompt "> "))
               (else
                ;; need more input: after an incomplete datum, a continuation prompt
                (let ((incomplete (= (vector-ref state 5) 2)))
                  (unless incomplete
                    (%port-set! port %P-BUF "")
                    (%port-set! port %P-POS 0))
                  (when interactive
                    (display (if incomplete "... " prompt))
                    (flush-output-port))
                  (let ((chunk (let wait ()
                                 (let ((c (%console-read)))
                                   (cond ((not c) (%wait) (wait))
                                         (else c))))))
                    (cond ((eof-object? chunk)
                           (when interactive (newline))
                           (set! done #t)
                           (when incomplete
                             (%port-set! port %P-BUF "")
                             (%port-set! port %P-POS 0)
                             (raise (%make-condition 'read-error "unexpected end of input inside a datum" '()))))
                          (else
                           (%port-set! port %P-BUF (string-append (%port-ref port %P-BUF) chunk)))))))))))
        (loop "> ")))))

;;; ---- the end of the boot ----

(define (%boot-finish)
  ;; The interaction environment: every public name of the system.
  (let ((env (%make-environment 'user)))
    (for-each (lambda (sym)
                (let ((name (symbol->string sym)))
                  (unless (and (> (string-length name) 0) (char=? (string-ref name 0) #\%))
                    (%env-bind! env sym (%env-lookup (%system-environment) sym)))))
              (%env-symbols (%system-environment)))
    (%set-interaction-environment! env))
  (%set-features! '(r7rs exact-closed full-unicode pith))
  (%seal-system-files!)
  (%set-hook! 0 raise)
  (%set-hook! 1 %eval-string)
  (%set-hook! 2 load)
  (%set-hook! 3 %repl)
  (%set-hook! 4 %run-program))
