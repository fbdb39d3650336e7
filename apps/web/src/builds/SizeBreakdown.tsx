// The build page's size breakdown: a treemap of the initramfs (section → directory, by uncompressed
// bytes; laid out by d3-hierarchy, drawn as SVG), click or Enter to zoom in, Escape or the trail to
// zoom out; the sections with their compressed size and the largest files beside it.
'use client';
import { hierarchy, treemap, treemapSquarify, type HierarchyRectangularNode } from 'd3-hierarchy';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { BuildContents } from '@oscompose/engine';
import { fetchJson } from '../api-client/fetchJson';
import { Card } from '../ui/Card';
import { ErrorState, Loading } from '../ui/States';
import { formatBytes } from '../ui/format';
import { sizeTree, walk, type SizeNode } from './sizeBreakdown';

const HEIGHT = 420;
const HEADER = 18;

/** A section's hue: spread round the colour wheel; lightness and saturation come from the theme (globals.css). */
export function sectionFill(section: number, shade = 0): string {
  const hue = section < 0 ? 220 : (section * 67 + 200) % 360;
  return `hsl(${hue} var(--treemap-s) calc(var(--treemap-l) + ${shade}%))`;
}

const percent = (n: number, of: number) => (of ? `${((100 * n) / of).toFixed(n / of < 0.1 ? 1 : 0)}%` : '—');

/** The node with only `depth` levels of children (what one view of the treemap draws). */
function cut(n: SizeNode, depth: number): SizeNode {
  return depth <= 0 || !n.children ? { ...n, children: undefined } : { ...n, children: n.children.map((c) => cut(c, depth - 1)) };
}

export function SizeBreakdown({ url }: { url: string }) {
  const [contents, setContents] = useState<BuildContents | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    fetchJson<BuildContents>(url).then(setContents, (e: Error) => setError(e.message));
  }, [url]);
  return (
    <Card title="Size breakdown">
      {error ? <ErrorState message={error} /> : !contents ? <Loading label="Loading the size breakdown…" /> : <Breakdown contents={contents} />}
    </Card>
  );
}

function Breakdown({ contents }: { contents: BuildContents }) {
  const root = useMemo(() => sizeTree(contents), [contents]);
  const [zoom, setZoom] = useState<string[]>([]);
  const trail = walk(root, zoom);
  const current = trail[trail.length - 1]!;
  return (
    <div className="space-y-4" data-testid="size-breakdown">
      <p className="text-sm">
        initramfs <strong className="tabular-nums">{formatBytes(contents.initramfs.bytes)}</strong> uncompressed,{' '}
        <strong className="tabular-nums">{formatBytes(contents.initramfs.compressed)}</strong> {contents.compression} ({percent(contents.initramfs.compressed, contents.initramfs.bytes)})
        {contents.kernel ? <> · kernel {formatBytes(contents.kernel)}</> : null}
      </p>
      <nav aria-label="Zoom" className="flex flex-wrap items-center gap-1 text-sm" data-testid="treemap-trail">
        {trail.map((n, i) => (
          <span key={i} className="flex items-center gap-1">
            {i > 0 ? <span aria-hidden className="text-muted-foreground">/</span> : null}
            {i === trail.length - 1 ? (
              <span className="font-medium" aria-current="location">{n.name} <span className="tabular-nums text-muted-foreground">{formatBytes(n.bytes)}</span></span>
            ) : (
              <button type="button" className="text-primary underline" onClick={() => setZoom(zoom.slice(0, i))}>{n.name}</button>
            )}
          </span>
        ))}
      </nav>
      <Treemap node={current} total={root.bytes} onZoom={(keys) => setZoom([...zoom.slice(0, trail.length - 1), ...keys])} onOut={() => setZoom(zoom.slice(0, Math.max(0, trail.length - 2)))} />
      <p className="text-xs text-muted-foreground">Click a box or press Enter on it to zoom in; Escape zooms out. Sizes are uncompressed bytes in the initramfs (cpio headers and padding included).</p>
      <div className="grid gap-4 lg:grid-cols-2">
        <table className="w-full text-left text-sm" data-testid="size-sections">
          <caption className="pb-1 text-left text-xs font-semibold">Sections</caption>
          <thead className="text-xs text-muted-foreground"><tr><th className="py-1">Section</th><th className="pl-3 text-right">Uncompressed</th><th className="pl-3 text-right">Compressed</th><th className="pl-3 text-right">Share</th></tr></thead>
          <tbody>
            {contents.sections.map((s, i) => (
              <tr key={s.id} className="border-t">
                <td className="py-1.5 text-xs">
                  <button type="button" className="flex items-center gap-2 text-left hover:underline" onClick={() => setZoom([s.id])}>
                    <span aria-hidden className="inline-block h-3 w-3 shrink-0 rounded-sm" style={{ background: sectionFill(i) }} />
                    <span className="font-mono">{s.label}</span>
                  </button>
                </td>
                <td className="text-right tabular-nums text-xs">{formatBytes(s.bytes)}</td>
                <td className="text-right tabular-nums text-xs">{formatBytes(s.compressed)}</td>
                <td className="text-right tabular-nums text-xs">{percent(s.bytes, contents.initramfs.bytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <table className="w-full text-left text-sm" data-testid="size-largest">
          <caption className="pb-1 text-left text-xs font-semibold">Largest files</caption>
          <thead className="text-xs text-muted-foreground"><tr><th className="py-1">File</th><th className="text-right">Size</th></tr></thead>
          <tbody>
            {contents.largest.slice(0, 15).map((f) => {
              const i = contents.sections.findIndex((s) => s.id === f.section);
              return (
                <tr key={`${f.section}:${f.path}`} className="border-t">
                  <td className="max-w-0 truncate py-1 font-mono text-xs" title={`${f.path} (${contents.sections[i]?.label ?? f.section})`}>
                    <span aria-hidden className="mr-2 inline-block h-2.5 w-2.5 rounded-sm" style={{ background: sectionFill(i) }} />
                    /{f.path}
                  </td>
                  <td className="text-right tabular-nums text-xs">{formatBytes(f.bytes)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function Treemap({ node, total, onZoom, onOut }: { node: SizeNode; total: number; onZoom: (keys: string[]) => void; onOut: () => void }) {
  const ref = useRef<HTMLDivElement | null>(null);
  const [width, setWidth] = useState(960);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(([e]) => setWidth(Math.max(320, Math.floor(e!.contentRect.width))));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const layout = useMemo(() => {
    const h = hierarchy(cut(node, 2), (d) => d.children).sum((d) => (d.children ? 0 : d.bytes)).sort((a, b) => (b.value ?? 0) - (a.value ?? 0));
    return treemap<SizeNode>().tile(treemapSquarify).size([width, HEIGHT]).paddingOuter(2).paddingTop((d) => (d.depth === 1 && d.children ? HEADER : 2)).paddingInner(2).round(true)(h);
  }, [node, width]);
  const groups = layout.children ?? [];
  const zoomable = (n: HierarchyRectangularNode<SizeNode>) => Boolean(n.data.children?.length) || Boolean(n.children?.length);
  const keyOf = (n: HierarchyRectangularNode<SizeNode>) => n.ancestors().reverse().slice(1).map((a) => a.data.key);
  const onKey = (e: KeyboardEvent, n?: HierarchyRectangularNode<SizeNode>) => {
    if (n && (e.key === 'Enter' || e.key === ' ') && zoomable(n)) {
      e.preventDefault();
      onZoom(keyOf(n));
    } else if (e.key === 'Escape' || e.key === 'Backspace') {
      e.preventDefault();
      onOut();
    }
  };
  const label = (n: HierarchyRectangularNode<SizeNode>) => `${n.data.name}: ${formatBytes(n.data.bytes)} (${percent(n.data.bytes, total)} of the initramfs)`;
  return (
    <div ref={ref} className="w-full overflow-hidden rounded-md border bg-muted" onKeyDown={(e) => onKey(e)}>
      <svg role="group" aria-label={`Treemap of ${node.name}`} width={width} height={HEIGHT} viewBox={`0 0 ${width} ${HEIGHT}`} className="block select-none font-sans" data-testid="treemap">
        {groups.map((g) => {
          const w = g.x1 - g.x0;
          const hgt = g.y1 - g.y0;
          return (
            <g
              key={g.data.key}
              tabIndex={0}
              role="button"
              aria-label={label(g)}
              aria-disabled={!zoomable(g)}
              data-node={g.data.name}
              data-bytes={g.data.bytes}
              className="cursor-pointer outline-none [&:focus-visible>rect:first-of-type]:stroke-[var(--ring)] [&:focus-visible>rect:first-of-type]:stroke-[3]"
              onClick={() => zoomable(g) && onZoom(keyOf(g))}
              onKeyDown={(e) => {
                e.stopPropagation();
                onKey(e, g);
              }}
            >
              <rect x={g.x0} y={g.y0} width={w} height={hgt} rx={3} style={{ fill: sectionFill(g.data.section) }} stroke="var(--card)" strokeWidth={1}>
                <title>{label(g)}</title>
              </rect>
              {(g.children ?? []).map((c) => (
                <rect
                  key={c.data.key}
                  x={c.x0}
                  y={c.y0}
                  width={Math.max(0, c.x1 - c.x0)}
                  height={Math.max(0, c.y1 - c.y0)}
                  rx={2}
                  style={{ fill: sectionFill(c.data.section, 8) }}
                  stroke="var(--card)"
                  strokeOpacity={0.6}
                  onClick={(e) => {
                    if (!zoomable(c)) return;
                    e.stopPropagation();
                    onZoom(keyOf(c));
                  }}
                >
                  <title>{label(c)}</title>
                </rect>
              ))}
              {(g.children ?? []).map((c) =>
                c.x1 - c.x0 > 70 && c.y1 - c.y0 > 30 ? (
                  <text key={`t${c.data.key}`} x={c.x0 + 4} y={c.y0 + 13} className="pointer-events-none text-[11px]" style={{ fill: 'var(--treemap-text)' }}>
                    <tspan>{clip(c.data.name, (c.x1 - c.x0 - 8) / 6.2)}</tspan>
                    <tspan x={c.x0 + 4} dy={13} opacity={0.75}>{formatBytes(c.data.bytes)}</tspan>
                  </text>
                ) : null,
              )}
              {w > 40 && hgt > 14 ? (
                <text x={g.x0 + 4} y={g.y0 + 13} className="pointer-events-none text-[12px] font-semibold" style={{ fill: 'var(--treemap-text)' }}>
                  {clip(`${g.data.name} · ${formatBytes(g.data.bytes)}`, (w - 8) / 6.8)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
    </div>
  );
}

function clip(s: string, chars: number): string {
  const n = Math.floor(chars);
  if (n <= 1) return '';
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}
