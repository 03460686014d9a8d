-- fft: the counterpart of bench/programs/fft.scm.  N (a power of two)
-- complex points x[j] = ((j mod 7) - 3) * 0.25 + i * ((j mod 5) - 2) * 0.5,
-- kept in two arrays of floats.  Ten times: an in-place iterative radix-2
-- FFT (bit reversal, then butterflies with twiddles from a precomputed
-- cos/sin table), a check of Parseval's identity sum|X|^2 = N * sum|x|^2
-- to a relative 1e-9, then the inverse FFT scaled by 1/N; the result
-- counts the points that came back within 1e-9 of the input, so it is
-- 10N unless something is wrong (a failed Parseval check makes the result
-- the string parseval-failed).
-- Reads "N EXPECTED" from standard input, prints the result, and exits
-- with status 1 if it differs from EXPECTED.

local reps = 10
local pi = 4.0 * math.atan(1.0)

local n = io.read("n")
local expected = io.read("n")

local function make_table(n, f)
  -- f(2 pi k / n) for 0 <= k < n/2
  local t = {}
  for k = 0, n // 2 - 1 do
    t[k] = f((2.0 * pi * (1.0 * k)) / (1.0 * n))
  end
  return t
end

local cos_table = make_table(n, math.cos)
local sin_table = make_table(n, math.sin)

local function bit_reverse(re, im, n)
  local j = 0
  for i = 0, n - 2 do
    if i < j then
      re[i], re[j] = re[j], re[i]
      im[i], im[j] = im[j], im[i]
    end
    local m = n // 2
    while m >= 1 and j >= m do
      j = j - m
      m = m // 2
    end
    j = j + m
  end
end

-- sign -1.0: forward transform (e^{-2 pi i jk/n}); sign 1.0: unscaled inverse
local function fft(re, im, n, sign)
  bit_reverse(re, im, n)
  local len = 2
  while len <= n do
    local half = len // 2
    local step = n // len
    for start = 0, n - 1, len do
      for k = 0, half - 1 do
        local wr = cos_table[k * step]
        local wi = sign * sin_table[k * step]
        local a = start + k
        local b = a + half
        local br, bi = re[b], im[b]
        local tr = wr * br - wi * bi
        local ti = wr * bi + wi * br
        local ar, ai = re[a], im[a]
        re[a] = ar + tr
        im[a] = ai + ti
        re[b] = ar - tr
        im[b] = ai - ti
      end
    end
    len = len * 2
  end
end

local function energy(re, im, n)
  local s = 0.0
  for i = 0, n - 1 do
    local r, m = re[i], im[i]
    s = s + (r * r + m * m)
  end
  return s
end

local x_re, x_im = {}, {}
for j = 0, n - 1 do
  x_re[j] = 0.25 * (1.0 * (j % 7 - 3))
  x_im[j] = 0.5 * (1.0 * (j % 5 - 2))
end
local x_energy = energy(x_re, x_im, n)

local function one_round()
  -- forward + check + inverse; returns the number of points recovered,
  -- or nil when Parseval's identity does not hold
  local re, im = {}, {}
  local scale = 1.0 / (1.0 * n)
  for j = 0, n - 1 do
    re[j] = x_re[j]
    im[j] = x_im[j]
  end
  fft(re, im, n, -1.0)
  local e = energy(re, im, n)
  local want = (1.0 * n) * x_energy
  if math.abs(e - want) > 1e-9 * want then
    return nil
  end
  fft(re, im, n, 1.0)
  local count = 0
  for j = 0, n - 1 do
    local dr = scale * re[j] - x_re[j]
    local di = scale * im[j] - x_im[j]
    if math.abs(dr) < 1e-9 and math.abs(di) < 1e-9 then
      count = count + 1
    end
  end
  return count
end

local result = 0
for _ = 1, reps do
  local c = one_round()
  if not c then
    result = "parseval-failed"
    break
  end
  result = result + c
end

print(result)
if result ~= expected then
  print("wrong result")
  os.exit(1)
end
