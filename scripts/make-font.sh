#!/usr/bin/env bash
# Makes internal/pdf/fonts/jiahe-kai.ttf, the font embedded in every PDF
# Jiahe prints, from Debian's fonts-lxgw-wenkai (LXGW WenKai, SIL OFL 1.1):
#
#   - keeps every character of GBK (all 21,886 of its code points the font
#     has, which is all of them but eight vertical-form punctuation marks),
#     every other CJK ideograph the font has (the rest of the Unified block,
#     Extensions A and B onwards: rarer characters in names), ASCII,
#     Latin-1, general punctuation, CJK symbols and full-width forms;
#   - drops the Korean and other glyphs, the layout and vertical-metrics
#     tables (PDF text is laid out horizontally, glyph by glyph);
#   - renames the font "Jiahe Kai": a subset is a Modified Version under the
#     OFL, which must not carry the Reserved Font Names ("霞鹜", "LXGW").
#
# The output is reproducible: the same Debian package gives the same bytes
# (checked against third_party/lxgw-wenkai/SHA256SUMS). Run it as root on
# Debian (it installs fonts-lxgw-wenkai and fonttools), or with both
# already installed.
set -euo pipefail
cd "$(dirname "$0")/.."

src=/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf
out=internal/pdf/fonts/jiahe-kai.ttf
py=/usr/bin/python3 # Debian's, which has fontTools

if [ ! -f "$src" ] || ! command -v pyftsubset >/dev/null 2>&1; then
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-lxgw-wenkai fonttools >/dev/null
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The characters to keep, as hexadecimal code points.
"$py" - "$src" >"$tmp/unicodes.txt" <<'PY'
import sys
from fontTools.ttLib import TTFont
cmap = TTFont(sys.argv[1]).getBestCmap()
keep = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100))
for hi in range(0x81, 0xFF):
    for lo in range(0x40, 0xFF):
        try:
            keep.add(ord(bytes([hi, lo]).decode("gbk")))
        except UnicodeDecodeError:
            pass
ranges = [(0x2000, 0x206F), (0x3000, 0x303F), (0xFF00, 0xFFEF),
          (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3FFFF)]
keep |= {c for c in cmap if any(a <= c <= b for a, b in ranges)}
print("\n".join("%04X" % c for c in sorted(c for c in keep if c in cmap)))
PY

pyftsubset "$src" --unicodes-file="$tmp/unicodes.txt" --output-file="$tmp/subset.ttf" \
	--no-hinting --layout-features='' --drop-tables+=BASE,GDEF,GSUB,GPOS,vhea,vmtx,gasp \
	--name-IDs='*' --name-languages='*'

# Rename: no Reserved Font Name in the modified font.
"$py" - "$tmp/subset.ttf" "$out" <<'PY'
import sys
from fontTools.ttLib import TTFont
f = TTFont(sys.argv[1], recalcTimestamp=False)
names = {1: "Jiahe Kai", 3: "Jiahe Kai:Version 1.250 (subset of LXGW WenKai 1.250)",
         4: "Jiahe Kai", 6: "JiaheKai-Regular", 16: "Jiahe Kai", 17: "Regular"}
for r in f["name"].names:
    if r.nameID in names:
        r.string = names[r.nameID]
    elif r.nameID not in (0, 2, 5, 7, 9, 12, 13, 14):
        r.string = ""
f["name"].names = [r for r in f["name"].names if str(r) != ""]
f.save(sys.argv[2], reorderTables=True)
PY

# The licence travels with the font.
lic=third_party/lxgw-wenkai/OFL.txt
{
	echo "Copyright 2021-2023 LXGW (https://github.com/lxgw/LxgwWenKai),"
	echo "with Reserved Font Names \"霞鹜\" and \"LXGW\"."
	echo "Copyright 2020 The Klee Project Authors (https://github.com/fontworks-fonts/Klee)"
	echo
	echo "This Font Software is licensed under the SIL Open Font License, Version 1.1."
	echo "This license is copied below, and is also available with a FAQ at:"
	echo "https://openfontlicense.org"
	echo
	# The licence text is the indented paragraph of the copyright file's
	# stand-alone "License: OFL-1.1" stanza, the one that opens with dashes.
	awk '/^License: OFL-1.1$/ { s = 1; next } s && /^ -+$/ { p = 1 } p && /^[^ ]/ { exit } p' \
		/usr/share/doc/fonts-lxgw-wenkai/copyright | sed 's/^ //;s/^\.$//' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
} >"$lic"

(sha256sum "$src" | sed "s|$src|LXGWWenKai-Regular.ttf (Debian fonts-lxgw-wenkai $(dpkg-query -W -f='${Version}' fonts-lxgw-wenkai))|"
	sha256sum "$out") >third_party/lxgw-wenkai/SHA256SUMS
echo "$out: $(wc -c <"$out") bytes, $(wc -l <"$tmp/unicodes.txt") characters"
