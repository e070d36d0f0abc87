#!/bin/sh
# Installs what Debian packages and PyPI cannot put in the venv: LibreOffice Writer
# (and Calc, for the tests), a Japanese font, poppler; for the web page (`serve`)
# Chromium (the browser tests drive it) and python3-uno (the Python with LibreOffice's
# bridge that runs the warm converter, unoserver). Says clearly what is missing otherwise
# (PDF steps and browser tests are then skipped).
need=""
command -v soffice >/dev/null 2>&1 || command -v libreoffice >/dev/null 2>&1 || need="$need libreoffice-writer-nogui"
if command -v dpkg >/dev/null 2>&1; then  # Calc: the tests open the input workbooks in LibreOffice
    dpkg -s libreoffice-calc-nogui >/dev/null 2>&1 || dpkg -s libreoffice-calc >/dev/null 2>&1 \
        || need="$need libreoffice-calc-nogui"
fi
fc-list 2>/dev/null | grep -qi "IPAex" || need="$need fonts-ipaexfont"
command -v pdftotext >/dev/null 2>&1 || need="$need poppler-utils"
command -v chromium >/dev/null 2>&1 || need="$need chromium"
# unoserver runs under Debian's own python3: only it can import LibreOffice's `uno`.
if command -v apt-get >/dev/null 2>&1; then
    /usr/bin/python3 -c "import uno" >/dev/null 2>&1 || need="$need python3-uno"
fi
[ -z "$need" ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "システム部品をインストールします:$need"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends $need >/dev/null \
        || echo "注意: apt-get で$need をインストールできませんでした。PDF の作成やブラウザのテストは省略されます。"
elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends $need >/dev/null \
        || echo "注意: $need をインストールできませんでした。PDF の作成やブラウザのテストは省略されます。"
else
    echo "注意: apt-get が使えないため$need を入れられません。Word (.docx) は作成しますが、PDF の作成は省略されます。"
fi
exit 0
