/**
 * Writes small but valid PDF files for tests (pdfjs reads PDFs but cannot write them): text lines in a given
 * font size at a given height, an optional outline (bookmarks) and document title. Lines with characters
 * beyond Latin-1 use a Type0 font with Identity-H encoding and a ToUnicode map, the way PDFs carry Chinese.
 */

export interface PdfLine {
  readonly text: string;
  readonly size: number;
  /** Baseline height from the bottom of a 792-point page. */
  readonly y: number;
}

export interface PdfOutlineEntry {
  readonly title: string;
  /** 1-based. */
  readonly page: number;
  readonly y?: number;
  readonly children?: readonly PdfOutlineEntry[];
}

function latin1(text: string): boolean {
  return [...text].every((char) => char.codePointAt(0)! < 256);
}

function pdfString(text: string): string {
  if (latin1(text)) return `(${text.replace(/[\\()]/g, (char) => `\\${char}`)})`;
  const utf16 = [...text].flatMap((char) => {
    const code = char.codePointAt(0)!;
    return code > 0xffff ? [0xd800 + ((code - 0x10000) >> 10), 0xdc00 + ((code - 0x10000) & 0x3ff)] : [code];
  });
  return `<FEFF${utf16.map((unit) => unit.toString(16).padStart(4, '0')).join('')}>`;
}

export function minimalPdf(document: { title?: string; pages: readonly (readonly PdfLine[])[]; outline?: readonly PdfOutlineEntry[] }): Uint8Array {
  const objects: string[] = [];
  const add = (body: string) => objects.push(body) - 1 + 1;
  const reserve = () => add('');
  const set = (id: number, body: string) => (objects[id - 1] = body);

  const cids = new Map<string, number>();
  for (const line of document.pages.flat()) if (!latin1(line.text)) for (const char of line.text) if (!cids.has(char)) cids.set(char, cids.size + 1);

  const catalog = reserve();
  const pagesId = reserve();
  const latinFont = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  let cjkFont: number | null = null;
  if (cids.size > 0) {
    const entries = [...cids].map(([char, cid]) => `<${cid.toString(16).padStart(4, '0')}> <${char.codePointAt(0)!.toString(16).padStart(4, '0')}>`);
    const blocks: string[] = [];
    for (let start = 0; start < entries.length; start += 100) {
      const slice = entries.slice(start, start + 100);
      blocks.push(`${slice.length} beginbfchar\n${slice.join('\n')}\nendbfchar`);
    }
    const cmap = `/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n${blocks.join('\n')}\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend`;
    const toUnicode = add(`<< /Length ${cmap.length} >>\nstream\n${cmap}\nendstream`);
    const descriptor = add('<< /Type /FontDescriptor /FontName /SimSun /Flags 4 /FontBBox [0 -140 1000 860] /ItalicAngle 0 /Ascent 860 /Descent -140 /CapHeight 700 /StemV 80 >>');
    const descendant = add(`<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor ${descriptor} 0 R /DW 1000 >>`);
    cjkFont = add(`<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [${descendant} 0 R] /ToUnicode ${toUnicode} 0 R >>`);
  }

  const pageIds = document.pages.map((lines) => {
    const content = lines
      .map((line) => {
        if (latin1(line.text)) return `BT /F1 ${line.size} Tf 72 ${line.y} Td ${pdfString(line.text)} Tj ET`;
        const hex = [...line.text].map((char) => cids.get(char)!.toString(16).padStart(4, '0')).join('');
        return `BT /F2 ${line.size} Tf 72 ${line.y} Td <${hex}> Tj ET`;
      })
      .join('\n');
    const stream = add(`<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`);
    const fonts = `/F1 ${latinFont} 0 R${cjkFont !== null ? ` /F2 ${cjkFont} 0 R` : ''}`;
    return add(`<< /Type /Page /Parent ${pagesId} 0 R /MediaBox [0 0 612 792] /Resources << /Font << ${fonts} >> >> /Contents ${stream} 0 R >>`);
  });
  set(pagesId, `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pageIds.length} >>`);

  let outlineRoot: number | null = null;
  const writeOutline = (entries: readonly PdfOutlineEntry[], parent: number): { first: number; last: number; count: number } => {
    const ids = entries.map(() => reserve());
    let count = entries.length;
    entries.forEach((entry, index) => {
      const id = ids[index]!;
      const page = pageIds[entry.page - 1]!;
      let children = '';
      if (entry.children !== undefined && entry.children.length > 0) {
        const nested = writeOutline(entry.children, id);
        children = ` /First ${nested.first} 0 R /Last ${nested.last} 0 R /Count ${nested.count}`;
        count += nested.count;
      }
      const links = `${index > 0 ? ` /Prev ${ids[index - 1]} 0 R` : ''}${index < ids.length - 1 ? ` /Next ${ids[index + 1]} 0 R` : ''}`;
      set(id, `<< /Title ${pdfString(entry.title)} /Parent ${parent} 0 R${links}${children} /Dest [${page} 0 R /XYZ 0 ${entry.y ?? 792} 0] >>`);
    });
    return { first: ids[0]!, last: ids.at(-1)!, count };
  };
  if (document.outline !== undefined && document.outline.length > 0) {
    outlineRoot = reserve();
    const top = writeOutline(document.outline, outlineRoot);
    set(outlineRoot, `<< /Type /Outlines /First ${top.first} 0 R /Last ${top.last} 0 R /Count ${top.count} >>`);
  }
  set(catalog, `<< /Type /Catalog /Pages ${pagesId} 0 R${outlineRoot !== null ? ` /Outlines ${outlineRoot} 0 R` : ''} >>`);
  const info = document.title !== undefined ? add(`<< /Title ${pdfString(document.title)} >>`) : null;

  let output = '%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n';
  const offsets: number[] = [];
  objects.forEach((body, index) => {
    offsets.push(Buffer.byteLength(output, 'latin1'));
    output += `${index + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(output, 'latin1');
  output += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('')}`;
  output += `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R${info !== null ? ` /Info ${info} 0 R` : ''} >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(output, 'latin1'));
}
