#!/usr/bin/env bash
# Renders a bulletin's .docx through LibreOffice to PDF and PNG pages, to look at the GB/T 9704
# layout, the Chinese text and the tables. Optional: skipped (exit 0) without soffice/pdftoppm.
#
#   bash scripts/bulletin-docx-check.sh some.docx [out-dir]
set -euo pipefail
docx="${1:?usage: bulletin-docx-check.sh file.docx [out-dir]}"
out="${2:-$(dirname "$docx")/rendered}"
for tool in soffice pdftoppm; do
  if ! command -v "$tool" >/dev/null; then
    echo "bulletin-docx-check: $tool not installed, skipped (apt-get install libreoffice-writer poppler-utils)"
    exit 0
  fi
done
mkdir -p "$out"
soffice --headless --convert-to pdf --outdir "$out" "$docx" >/dev/null
pdf="$out/$(basename "${docx%.docx}").pdf"
pdftoppm -png -r 60 "$pdf" "$out/page"
pages=$(ls "$out"/page-*.png | wc -l)
echo "bulletin-docx-check: $pdf, $pages page(s) as $out/page-*.png"
[[ "$pages" -ge 1 ]]
