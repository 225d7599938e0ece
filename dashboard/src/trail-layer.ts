/**
 * Every unicorn's trail, drawn on one canvas over the map and under the markers. With a
 * thousand unicorns a Leaflet polyline each was far too slow (each redraw builds objects per
 * point, clips, simplifies and rewrites an SVG path: about a second per frame). Here a frame
 * projects each point with two lines of arithmetic and strokes it. The older half of a trail
 * is fainter, so a trail fades toward its tail and shows which way the unicorn is going.
 */

import * as L from 'leaflet';
import type { TrailPoint } from './trails';

/**
 * How much of the view's size the canvas adds on each side, so a short pan shows no gap. Kept
 * small: every pixel of the canvas is cleared, drawn and composited at every frame.
 */
const PADDING = 0.1;
/** Opacity of a trail's parts, oldest first. */
const FADE = [0.3, 0.75] as const;
const SELECTED_FADE = [0.45, 0.95] as const;
const WIDTH = 3;
const SELECTED_WIDTH = 4;

export class TrailLayer extends L.Layer {
  private canvas: HTMLCanvasElement | undefined;
  /** Colour by unicorn name, for every unicorn with a trail to draw. */
  private readonly colours = new Map<string, string>();
  private selected: string | undefined;
  /** Where the canvas's top-left corner lies, in layer pixels. */
  private topLeft = L.point(0, 0);

  /** @param trail a unicorn's current trail, oldest point first */
  constructor(
    private readonly trail: (name: string) => readonly TrailPoint[],
    options: L.LayerOptions,
  ) {
    super();
    L.setOptions(this, options);
  }

  override onAdd(map: L.Map): this {
    // Hidden while Leaflet animates a zoom, redrawn at the new zoom when it ends.
    this.canvas = L.DomUtil.create('canvas', 'unicorn-trails leaflet-zoom-hide');
    this.getPane()!.appendChild(this.canvas);
    map.on('moveend zoomend viewreset resize', this.reset, this);
    this.reset();
    return this;
  }

  override onRemove(map: L.Map): this {
    map.off('moveend zoomend viewreset resize', this.reset, this);
    this.canvas?.remove();
    this.canvas = undefined;
    return this;
  }

  show(name: string, colour: string): void {
    this.colours.set(name, colour);
  }

  hide(name: string): void {
    this.colours.delete(name);
  }

  select(name: string | undefined): void {
    this.selected = name;
  }

  /** Redraws every trail; call after the fleet changed, at most once per frame. */
  draw(): void {
    const { canvas, _map: map } = this;
    if (!canvas || !map) return;
    const ctx = canvas.getContext('2d')!;
    const ratio = window.devicePixelRatio || 1;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.lineJoin = 'round';
    ctx.lineCap = 'round';
    // Spherical Mercator (Leaflet's default CRS, EPSG:3857) at this zoom, in canvas pixels.
    const scale = 256 * 2 ** map.getZoom();
    const origin = map.getPixelOrigin();
    const dx = -origin.x - this.topLeft.x;
    const dy = -origin.y - this.topLeft.y;
    const x = (lon: number) => scale * (lon / 360 + 0.5) + dx;
    const y = (lat: number) =>
      scale * (0.5 - Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360)) / (2 * Math.PI)) + dy;
    const stroke = (points: readonly TrailPoint[], from: number, to: number) => {
      ctx.beginPath();
      ctx.moveTo(x(points[from].lon), y(points[from].lat));
      for (let i = from + 1; i <= to; i++) ctx.lineTo(x(points[i].lon), y(points[i].lat));
      ctx.stroke();
    };
    const drawOne = (name: string, colour: string, selected: boolean) => {
      const points = this.trail(name);
      if (points.length < 2) return;
      ctx.strokeStyle = colour;
      ctx.lineWidth = selected ? SELECTED_WIDTH : WIDTH;
      const fade = selected ? SELECTED_FADE : FADE;
      const last = points.length - 1;
      for (let part = 0; part < fade.length; part++) {
        const from = Math.floor((last * part) / fade.length);
        const to = Math.max(from + 1, Math.floor((last * (part + 1)) / fade.length));
        ctx.globalAlpha = fade[part];
        stroke(points, from, to);
      }
    };
    for (const [name, colour] of this.colours) if (name !== this.selected) drawOne(name, colour, false);
    const selectedColour = this.selected === undefined ? undefined : this.colours.get(this.selected);
    if (selectedColour) drawOne(this.selected!, selectedColour, true);
    ctx.globalAlpha = 1;
  }

  /** Places and sizes the canvas for the current view, with padding, and redraws. */
  private reset() {
    const { canvas, _map: map } = this;
    if (!canvas || !map) return;
    const size = map.getSize();
    const padding = size.multiplyBy(PADDING).round();
    this.topLeft = map.containerPointToLayerPoint([0, 0]).subtract(padding).round();
    const cssSize = size.add(padding.multiplyBy(2));
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(cssSize.x * ratio);
    canvas.height = Math.round(cssSize.y * ratio);
    canvas.style.width = `${cssSize.x}px`;
    canvas.style.height = `${cssSize.y}px`;
    L.DomUtil.setPosition(canvas, this.topLeft);
    this.draw();
  }
}
