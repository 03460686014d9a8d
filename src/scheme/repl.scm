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
  (set! %program-directory (%path-directory path))
  (%run-program-forms (%read-all (%read-file path) path)))

;; Is e the condition pith_interrupt (Ctrl-C) raises?
(define (%interrupt? e)
  (and (error-object? e) (eq? (%condition-kind e) 'interrupt)))

(define (%repl)
  (let ((interactive (%console-interactive?))
        (env (interaction-environment))
        (port (current-input-port))
        (file (%register-file "<repl>"))
        (line 1) (col 0)        ; where the port's read position is in the input
        (done #f))
    (define (reset-input!) (%port-unread-text! port "" 0))
    (define (input-text) (let ((t (%port-text port))) (if t (car t) "")))
    (define (input-pos) (let ((t (%port-text port))) (if t (cdr t) 0)))
    ;; After a read error at position pos: drop the rest of that line.
    (define (skip-line! pos)
      (let* ((buf (input-text))
             (nl (%string-index buf #\newline (min pos (string-length buf)))))
        (if nl
            (begin (%port-unread-text! port buf (+ nl 1)) (set! line (+ line 1)) (set! col 0))
            (reset-input!))))
    (define (more-input! incomplete)
      (when interactive
        (unless incomplete (%fresh-line))
        (display (if incomplete "... " "> "))
        (flush-output-port))
      (unless (%port-more-text! port)
        (when interactive (newline))
        (set! done #t)
        (when incomplete
          (reset-input!)
          (raise (%make-condition 'read-error "unexpected end of input inside a datum" '())))))
    (let loop ()
      (unless done
        (let ((phase 'read) (state #f))
          (call/cc
           (lambda (k)
             (with-exception-handler
              (lambda (e)
                (cond ((%interrupt? e)
                       ;; Ctrl-C: while reading it discards the input, while
                       ;; evaluating it stops the computation
                       (reset-input!)
                       (when (eq? phase 'eval)
                         (flush-output-port (current-output-port))
                         (display "\ninterrupted\n" (current-error-port))))
                      (else
                       (%report-error e)
                       (when (and (eq? phase 'read) state)
                         (skip-line! (vector-ref state 0)))))
                (k #f))
              (lambda ()
                (let* ((buf (input-text)))
                  (set! state (vector (input-pos) line col file #f 0 #f))
                  (let ((datum (%read-from-string buf state)))
                    (set! line (vector-ref state 1))
                    (set! col (vector-ref state 2))
                    (case (vector-ref state 5)
                      ((0)
                       (%port-unread-text! port buf (vector-ref state 0))
                       (set! phase 'eval)
                       (%repl-print (eval datum env)))
                      ((1)
                       (reset-input!)
                       (more-input! #f))
                      (else
                       ;; the datum is not complete: keep it and read more
                       (set! line (vector-ref state 1))
                       (more-input! #t))))))))))
        (loop)))))

;;; ---- images: (pith image) ----

(define %resume-point #f)       ; the continuation the next resume continues
(define %on-resume-thunks '())  ; in the order they were registered

;; (on-resume thunk): call thunk whenever an image of this system is
;; resumed, before the computation that saved it goes on (reopen files,
;; reconnect...).
(define (on-resume thunk)
  (if (not (procedure? thunk)) (error "on-resume: expected a procedure, got" thunk))
  (set! %on-resume-thunks (append %on-resume-thunks (list thunk)))
  (if #f #f))

;; (save-image path): write the image of the running system; returns the
;; symbol saved, and returns resumed again when the image is resumed.
(define (save-image path)
  (if (not (string? path)) (error "save-image: expected a file name string, got" path))
  (call/cc
   (lambda (k)
     (dynamic-wind
      (lambda () (set! %resume-point k))
      (lambda () (%save-image path))
      (lambda () (set! %resume-point #f)))
     'saved)))

;; The resume hook (pith_resume, pith -i): the on-resume thunks, then the
;; saved computation.
(define (%resume)
  (let ((k %resume-point))
    (set! %resume-point #f)
    (for-each (lambda (t) (t)) %on-resume-thunks)
    (if k (k 'resumed) (if #f #f))))

;; (save-program-image image-path program-path): run the program's forms
;; (definitions) and save; resuming the image then calls the program's
;; main with no arguments when it defines one, else starts the REPL.
(define (save-program-image image-path program-path)
  (set! %program-directory (%path-directory program-path))
  (let* ((forms (%read-all (%read-file program-path) program-path))
         (env (if (and (pair? forms) (%import-form? (car forms)))
                  (%make-environment 'program)
                  (interaction-environment))))
    (let loop ((forms forms))
      (if (and (pair? forms) (%import-form? (car forms)) (not (eq? env (interaction-environment))))
          (begin (%import-into! (car forms) env) (loop (cdr forms)))
          (%eval-forms forms env)))
    (if (eq? (save-image image-path) 'resumed)
        (let ((main (guard (e (#t #f)) (eval 'main env))))
          (if (procedure? main) (main) (%repl))))))

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
  (%set-features! '(r7rs exact-closed exact-complex ratios full-unicode pith pith-0.1))
  (for-each (lambda (e) (%define-system-library! (car e) (cdr e))) %standard-library-exports)
  (for-each (lambda (e) (%define-system-library! (car e) (cdr e))) %srfi-library-exports)
  (%define-system-library! '(pith image) '(save-image on-resume save-program-image))
  ;; (pith): every public name of the system, standard or not
  (%define-system-library!
   '(pith)
   (filter (lambda (sym)
             (let ((name (symbol->string sym)))
               (not (and (> (string-length name) 0) (char=? (string-ref name 0) #\%)))))
           (%env-symbols (%system-environment))))
  ;; every name the report lists must exist: this fails the build
  (if (pair? %standard-library-missing)
      (error "the standard libraries lack:" (reverse %standard-library-missing)))
  (%seal-system-files!)
  (%set-hook! 0 raise)
  (%set-hook! 1 %eval-string)
  (%set-hook! 2 load)
  (%set-hook! 3 %repl)
  (%set-hook! 4 %run-program)
  (%set-hook! 5 %resume))
