"""A QR code of a short text — the class's join link on the projector — in plain Python (pure).

Byte mode, error correction level M (15 % of the code may be unreadable: a projector's glare, a
phone held at an angle), versions 1 to 10 (up to 213 bytes). The steps and tables follow ISO/IEC
18004 as Project Nayuki's reference implementation lays them out: the data's bits, padded; Reed–
Solomon error correction per block, interleaved; the finder, timing and alignment patterns; the
codewords in the zigzag; the mask with the lowest penalty; the format and version bits.
``tests/views/test_qr.py`` reads every version back with zbar.
"""

from __future__ import annotations

MAX_VERSION = 10
# Level M, by version (index 0 unused): error-correction codewords per block, and blocks.
ECC_PER_BLOCK = (0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26)
BLOCKS = (0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5)
FORMAT_M = 0b00                      # level M's two format bits
MASKS = (lambda x, y: (x + y) % 2 == 0, lambda x, y: y % 2 == 0, lambda x, y: x % 3 == 0,
         lambda x, y: (x + y) % 3 == 0, lambda x, y: (x // 3 + y // 2) % 2 == 0,
         lambda x, y: x * y % 2 + x * y % 3 == 0, lambda x, y: (x * y % 2 + x * y % 3) % 2 == 0,
         lambda x, y: ((x + y) % 2 + x * y % 3) % 2 == 0)


def qr_matrix(text: str) -> list[str]:
    """The code's modules, row by row, "1" dark and "0" light, without the quiet zone (4 modules
    a side, for the caller to leave). ValueError for a text longer than version 10 holds."""
    data = text.encode("utf-8")
    version = next((v for v in range(1, MAX_VERSION + 1) if _fits(len(data), v)), None)
    if version is None:
        raise ValueError(f"A QR code here holds at most {_capacity(MAX_VERSION)} bytes; this text has {len(data)}.")
    codewords = _interleaved(_data_codewords(data, version), version)
    best = None
    for mask in range(8):
        grid = _Grid(version)
        grid.place(codewords)
        grid.apply(mask)
        grid.format_bits(mask)
        score = grid.penalty()
        if best is None or score < best[0]:
            best = (score, grid)
    return ["".join("1" if dark else "0" for dark in row) for row in best[1].modules]


def svg_path(rows: list[str], quiet: int = 4) -> str:
    """The dark modules as one SVG path (one unit per module, the quiet zone included in the offset)."""
    return "".join(f"M{x + quiet} {y + quiet}h1v1h-1z" for y, row in enumerate(rows)
                   for x, bit in enumerate(row) if bit == "1")


# ----------------------------------------------------------------------------- the data


def _raw_modules(version: int) -> int:
    """Modules left for data and error correction once every pattern is drawn."""
    result = (16 * version + 128) * version + 64
    if version >= 2:
        aligns = version // 7 + 2
        result -= (25 * aligns - 10) * aligns - 55
        if version >= 7:
            result -= 36
    return result


def _data_capacity(version: int) -> int:
    """Data codewords of ``version`` at level M."""
    return _raw_modules(version) // 8 - ECC_PER_BLOCK[version] * BLOCKS[version]


def _capacity(version: int) -> int:
    """Bytes of text ``version`` holds: mode (4 bits) and length (8 or 16 bits) come first."""
    return (_data_capacity(version) * 8 - 4 - (8 if version <= 9 else 16)) // 8


def _fits(n: int, version: int) -> bool:
    return n <= _capacity(version)


def _data_codewords(data: bytes, version: int) -> list[int]:
    bits: list[int] = []

    def put(value: int, n: int) -> None:
        bits.extend((value >> i) & 1 for i in reversed(range(n)))

    put(0b0100, 4)                                            # byte mode
    put(len(data), 8 if version <= 9 else 16)
    for b in data:
        put(b, 8)
    capacity = _data_capacity(version) * 8
    put(0, min(4, capacity - len(bits)))                      # terminator
    put(0, -len(bits) % 8)
    pad = 0xEC
    while len(bits) < capacity:
        put(pad, 8)
        pad ^= 0xEC ^ 0x11                                    # 0xEC, 0x11, 0xEC, ...
    return [int("".join(map(str, bits[i:i + 8])), 2) for i in range(0, len(bits), 8)]


def _gf_multiply(x: int, y: int) -> int:
    """Product in GF(2⁸) modulo x⁸ + x⁴ + x³ + x² + 1."""
    z = 0
    for i in reversed(range(8)):
        z = (z << 1) ^ ((z >> 7) * 0x11D)
        z ^= ((y >> i) & 1) * x
    return z


def _rs_divisor(degree: int) -> list[int]:
    result = [0] * (degree - 1) + [1]
    root = 1
    for _ in range(degree):
        for j in range(degree):
            result[j] = _gf_multiply(result[j], root)
            if j + 1 < degree:
                result[j] ^= result[j + 1]
        root = _gf_multiply(root, 0x02)
    return result


def _rs_remainder(data: list[int], divisor: list[int]) -> list[int]:
    result = [0] * len(divisor)
    for b in data:
        factor = b ^ result.pop(0)
        result.append(0)
        for i, coefficient in enumerate(divisor):
            result[i] ^= _gf_multiply(coefficient, factor)
    return result


def _interleaved(data: list[int], version: int) -> list[int]:
    """The data split into blocks, each with its error correction, read across the blocks."""
    blocks, ecc_len = BLOCKS[version], ECC_PER_BLOCK[version]
    raw = _raw_modules(version) // 8
    short, short_len = blocks - raw % blocks, raw // blocks
    divisor = _rs_divisor(ecc_len)
    cut, k = [], 0
    for i in range(blocks):
        part = data[k:k + short_len - ecc_len + (0 if i < short else 1)]
        k += len(part)
        ecc = _rs_remainder(part, divisor)
        cut.append(part + ([0] if i < short else []) + ecc)   # a short block's gap, skipped below
    return [block[i] for i in range(len(cut[0])) for j, block in enumerate(cut)
            if i != short_len - ecc_len or j >= short]


# ----------------------------------------------------------------------------- the symbol


class _Grid:
    def __init__(self, version: int):
        self.version, self.size = version, version * 4 + 17
        self.modules = [[False] * self.size for _ in range(self.size)]
        self.function = [[False] * self.size for _ in range(self.size)]
        n = self.size
        for i in range(n):                                    # timing patterns
            self.set(6, i, i % 2 == 0)
            self.set(i, 6, i % 2 == 0)
        for cx, cy in ((3, 3), (n - 4, 3), (3, n - 4)):       # finders, with their separators
            for dy in range(-4, 5):
                for dx in range(-4, 5):
                    if 0 <= cx + dx < n and 0 <= cy + dy < n:
                        self.set(cx + dx, cy + dy, max(abs(dx), abs(dy)) not in (2, 4))
        places = self.alignment_positions()
        last = len(places) - 1
        for i, ax in enumerate(places):
            for j, ay in enumerate(places):
                if (i, j) not in ((0, 0), (0, last), (last, 0)):
                    for dy in range(-2, 3):
                        for dx in range(-2, 3):
                            self.set(ax + dx, ay + dy, max(abs(dx), abs(dy)) != 1)
        self.format_bits(0)                                   # reserved now, written with the mask
        if version >= 7:
            rem = version
            for _ in range(12):
                rem = (rem << 1) ^ ((rem >> 11) * 0x1F25)
            bits = version << 12 | rem
            for i in range(18):
                a, b, dark = n - 11 + i % 3, i // 3, (bits >> i) & 1 == 1
                self.set(a, b, dark)
                self.set(b, a, dark)

    def set(self, x: int, y: int, dark: bool) -> None:
        self.modules[y][x] = dark
        self.function[y][x] = True

    def alignment_positions(self) -> list[int]:
        if self.version == 1:
            return []
        aligns = self.version // 7 + 2
        step = (self.version * 8 + aligns * 3 + 5) // (aligns * 4 - 4) * 2
        return [6] + sorted(self.size - 7 - i * step for i in range(aligns - 1))

    def format_bits(self, mask: int) -> None:
        data = FORMAT_M << 3 | mask
        rem = data
        for _ in range(10):
            rem = (rem << 1) ^ ((rem >> 9) * 0x537)
        bits = (data << 10 | rem) ^ 0x5412
        bit = [(bits >> i) & 1 == 1 for i in range(15)]
        n = self.size
        for i in range(6):
            self.set(8, i, bit[i])
        self.set(8, 7, bit[6])
        self.set(8, 8, bit[7])
        self.set(7, 8, bit[8])
        for i in range(9, 15):
            self.set(14 - i, 8, bit[i])
        for i in range(8):
            self.set(n - 1 - i, 8, bit[i])
        for i in range(8, 15):
            self.set(8, n - 15 + i, bit[i])
        self.set(8, n - 8, True)                              # the dark module

    def place(self, codewords: list[int]) -> None:
        """The codewords' bits in the zigzag: two columns at a time, from the right, up then down."""
        n, i, total = self.size, 0, len(codewords) * 8
        right = n - 1
        while right >= 1:
            if right == 6:                                    # the vertical timing pattern
                right = 5
            for vert in range(n):
                for j in range(2):
                    x = right - j
                    y = n - 1 - vert if (right + 1) & 2 == 0 else vert
                    if not self.function[y][x] and i < total:
                        self.modules[y][x] = (codewords[i >> 3] >> (7 - (i & 7))) & 1 == 1
                        i += 1
            right -= 2

    def apply(self, mask: int) -> None:
        flip = MASKS[mask]
        for y in range(self.size):
            for x in range(self.size):
                if not self.function[y][x] and flip(x, y):
                    self.modules[y][x] = not self.modules[y][x]

    def penalty(self) -> int:
        """The standard's four penalties: long runs, 2×2 blocks, finder-like runs, dark share."""
        rows = ["".join("1" if d else "0" for d in row) for row in self.modules]
        lines = rows + ["".join(col) for col in zip(*rows)]
        score = 0
        for line in lines:
            run = 1
            for a, b in zip(line, line[1:]):
                if a == b:
                    run += 1
                else:
                    score += run - 2 if run >= 5 else 0
                    run = 1
            score += run - 2 if run >= 5 else 0
            score += 40 * (line.count("10111010000") + line.count("00001011101"))
        score += 3 * sum(rows[y][x] == rows[y][x + 1] == rows[y + 1][x] == rows[y + 1][x + 1]
                         for y in range(self.size - 1) for x in range(self.size - 1))
        dark = sum(row.count("1") for row in rows)
        score += 10 * (abs(dark * 20 - self.size ** 2 * 10) // self.size ** 2)
        return score
