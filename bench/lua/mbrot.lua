-- mbrot: the counterpart of bench/programs/mbrot.scm.  For each of the
-- N x N points c = x + iy with x = -2.0 + i*(2.5/N), y = -1.25 + j*(2.5/N)
-- (0 <= i, j < N), iterates z <- z^2 + c from z = 0 until |z|^2 > 4.0 or
-- 64 iterations; the result is the total number of iterations.  The
-- floating-point operations are the same as the Scheme program's, in the
-- same order, so the counts agree exactly.
-- Reads "N EXPECTED" from standard input, prints the result, and exits
-- with status 1 if it differs from EXPECTED.

local max_iter = 64

local function count_iterations(cr, ci)
  local zr, zi = 0.0, 0.0
  local k = 0
  while k < max_iter do
    local zr2 = zr * zr
    local zi2 = zi * zi
    if zr2 + zi2 > 4.0 then
      return k
    end
    zr, zi = (zr2 - zi2) + cr, 2.0 * (zr * zi) + ci
    k = k + 1
  end
  return k
end

local function mbrot(n)
  local step = 2.5 / (1.0 * n)
  local total = 0
  for j = 0, n - 1 do
    local ci = -1.25 + step * (1.0 * j)
    for i = 0, n - 1 do
      total = total + count_iterations(-2.0 + step * (1.0 * i), ci)
    end
  end
  return total
end

local n = io.read("n")
local expected = io.read("n")

local result = mbrot(n)

print(result)
if result ~= expected then
  print("wrong result")
  os.exit(1)
end
