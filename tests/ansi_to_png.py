#!/usr/bin/python3
"""Turn `tmux capture-pane -e` output (ANSI SGR colours) into an ImageMagick MVG
drawing, then a PNG: ansi_to_png.py IN.ans OUT.png.  Stdlib + `convert` only;
used by tests/screenshots.sh for the README."""
import re, subprocess, sys

PAL = ['#1e1e28', '#e05050', '#50c060', '#e0c040', '#5080e0', '#c060c0', '#40c0c0', '#d0d0d0']
FG, BG, CW, CH = '#d0d0d0', '#14141c', 9, 17

def spans(line):
    fg, bg, bold, rev, out, pos = FG, None, False, False, [], 0
    for m in re.finditer(r'\x1b\[([0-9;]*)m|([^\x1b]+)', line):
        if m.group(2) is not None:
            f, b = (bg or BG, fg) if rev else (fg, bg)
            out.append((pos, m.group(2), f, b, bold))
            pos += len(m.group(2))
            continue
        codes = [int(c) if c else 0 for c in m.group(1).split(';')]
        i = 0
        while i < len(codes):
            c = codes[i]
            if c == 0: fg, bg, bold, rev = FG, None, False, False
            elif c == 1: bold = True
            elif c == 7: rev = True
            elif c == 22: bold = False
            elif c == 27: rev = False
            elif 30 <= c <= 37: fg = PAL[c - 30]
            elif c == 39: fg = FG
            elif 40 <= c <= 47: bg = PAL[c - 40]
            elif c == 49: bg = None
            elif c in (38, 48) and i + 2 < len(codes) and codes[i + 1] == 5:
                col = PAL[codes[i + 2] % 8]
                if c == 38: fg = col
                else: bg = col
                i += 2
            i += 1
    return out

lines = open(sys.argv[1], encoding='utf-8', errors='replace').read().rstrip('\n').split('\n')
W, H = 120 * CW + 16, len(lines) * CH + 16
mvg = ['viewbox 0 0 %d %d' % (W, H), 'fill "%s" rectangle 0,0 %d,%d' % (BG, W, H),
       'font "DejaVu-Sans-Mono" font-size 14']
for y, line in enumerate(lines):
    for x, text, f, b, bold in spans(line):
        if b:
            mvg.append('fill "%s" rectangle %d,%d %d,%d' % (b, 8 + x * CW, 8 + y * CH, 8 + (x + len(text)) * CW, 8 + (y + 1) * CH))
        for k, ch in enumerate(text):   # one glyph per cell keeps the grid exact
            cp = ord(ch)
            if 0x2800 < cp <= 0x28FF:   # braille: draw the dots, fonts rarely have them
                bits = cp - 0x2800
                for bit, (dx, dy) in enumerate([(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (0, 3), (1, 3)]):
                    if bits >> bit & 1:
                        cx, cy = 8 + (x + k) * CW + 2 + 4 * dx, 8 + y * CH + 2 + 4 * dy
                        mvg.append('fill "%s" rectangle %d,%d %d,%d' % (f, cx, cy, cx + 2, cy + 2))
            elif ch != ' ' and ch != '\u2800':
                esc = ch.replace('\\', '\\\\').replace("'", "\\'")
                mvg.append("fill \"%s\" text %d,%d '%s'" % (f, 8 + (x + k) * CW, 8 + y * CH + 13, esc))
open(sys.argv[2] + '.mvg', 'w', encoding='utf-8').write('\n'.join(mvg) + '\n')
subprocess.run(['convert', 'mvg:' + sys.argv[2] + '.mvg', sys.argv[2]], check=True)
