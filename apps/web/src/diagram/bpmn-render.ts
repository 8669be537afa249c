/**
 * The diagram library, loaded on demand (a chunk of its own, so the inbox does not carry it):
 * bpmn-auto-layout gives the exported process its shapes' positions, bpmn-js's NavigatedViewer
 * draws it (pan and zoom), markers colour it. Only `diagram.tsx` imports this, dynamically.
 */

import { layoutProcess } from 'bpmn-auto-layout';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn.css';

/** room around the drawing when it is fitted to its box (labels at the edges stay inside) */
const FIT_MARGIN = 0.92;

interface Canvas {
  addMarker(elementId: string, marker: string): void;
  removeMarker(elementId: string, marker: string): void;
  zoom(level: 'fit-viewport' | number, center?: 'auto'): number;
  resized(): void;
}

interface ElementEvent {
  readonly element: { readonly id: string };
}

export interface RenderedDiagram {
  /** element id -> its marker classes; markers of earlier calls are removed */
  setMarkers(markers: ReadonlyMap<string, readonly string[]>): void;
  fit(): void;
  /** the laid-out BPMN 2.0 XML (with diagram interchange), to download */
  readonly xml: string;
  destroy(): void;
}

/** Lay out `xml`, draw it into `container`; `onClick` gets the element id of a clicked shape. */
export async function renderDiagram(container: HTMLElement, xml: string, onClick: (elementId: string) => void): Promise<RenderedDiagram> {
  const laidOut = await layoutProcess(xml);
  const viewer = new NavigatedViewer({ container });
  try {
    await viewer.importXML(laidOut);
  } catch (err) {
    viewer.destroy();
    throw err;
  }
  const canvas = viewer.get<Canvas>('canvas', true);
  const fit = () => canvas.zoom(canvas.zoom('fit-viewport', 'auto') * FIT_MARGIN, 'auto');
  fit();
  viewer.on('element.click', (event: ElementEvent) => onClick(event.element.id));
  let applied: [string, string][] = [];
  return {
    xml: laidOut,
    setMarkers(markers) {
      for (const [id, marker] of applied) canvas.removeMarker(id, marker);
      applied = [];
      for (const [id, list] of markers) {
        for (const marker of list) {
          canvas.addMarker(id, marker);
          applied.push([id, marker]);
        }
      }
    },
    fit() {
      canvas.resized();
      fit();
    },
    destroy: () => viewer.destroy(),
  };
}
