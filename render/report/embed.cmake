# embed.cmake - turns the report's script and style into C strings
# (cmake -DJS=... -DCSS=... -DOUT=... -P embed.cmake), so the HTML writer
# inlines them and every report is one self-contained file.
function(hg_embed var file out)
  file(READ ${file} hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
  string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" hex "${hex}")
  set(${out} "${${out}}const unsigned char ${var}[] = {\n${hex}0x00};\n" PARENT_SCOPE)
endfunction()
set(text "/* Generated from render/report/ by embed.cmake: do not edit. */\n")
hg_embed(hg_report_js ${JS} text)
hg_embed(hg_report_css ${CSS} text)
file(WRITE ${OUT}.tmp "${text}")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUT}.tmp)
