#!/bin/sh
# Installs LibreOffice Writer, a Japanese font and poppler where apt-get can;
# says clearly what is missing otherwise (PDF steps are then skipped).
need=""
command -v soffice >/dev/null 2>&1 || command -v libreoffice >/dev/null 2>&1 || need="$need libreoffice-writer-nogui"
if command -v dpkg >/dev/null 2>&1; then  # Calc: the tests open the input workbooks in LibreOffice
    dpkg -s libreoffice-calc-nogui >/dev/null 2>&1 || dpkg -s libreoffice-calc >/dev/null 2>&1 \
        || need="$need libreoffice-calc-nogui"
fi
fc-list 2>/dev/null | grep -qi "IPAex" || need="$need fonts-ipaexfont"
command -v pdftotext >/dev/null 2>&1 || need="$need poppler-utils"
[ -z "$need" ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "システム部品をインストールします:$need"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends $need >/dev/null \
        || echo "注意: apt-get で$need をインストールできませんでした。PDF の作成は省略されます。"
elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends $need >/dev/null \
        || echo "注意: $need をインストールできませんでした。PDF の作成は省略されます。"
else
    echo "注意: apt-get が使えないため$need を入れられません。Word (.docx) は作成しますが、PDF の作成は省略されます。"
fi
exit 0
