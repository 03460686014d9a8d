(define-library (test twice)
  (include-library-declarations "decls.scm"))
