(write (command-line))
(newline)
