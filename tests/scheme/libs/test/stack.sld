;; A library with private state, a renamed export, a macro that uses a
;; private helper, and code brought in with include and include-ci.
(define-library (test stack)
  (export make-stack push! (rename stack-pop pop!) stack-size with-pushed
          shout)
  (import (scheme base))
  (include "inc/stack-impl.scm")
  (include-ci "inc/shout.scm")
  (begin
    (define (helper s x) (push! s x) s)
    ;; with-pushed expands into a call of helper, which the user cannot see
    (define-syntax with-pushed
      (syntax-rules ()
        ((_ s x body ...) (begin (helper s x) body ...))))))
