/**
 * A definition drawn in BPMN notation (bpmn-js over the export in definition-to-bpmn.ts), its
 * nodes coloured by the status of their latest execution and the path taken highlighted, with
 * the same in text: a legend, and a list of the nodes as buttons that do what a click on a shape
 * does (keyboard and screen-reader access to the diagram). The diagram library is loaded with a
 * dynamic import: its own chunk, fetched by the pages that draw diagrams only.
 */

import { useEffect, useMemo, useRef, useState } from 'react';
import type { RenderedDiagram } from './bpmn-render';
import { definitionToBpmn, type DiagramDefinition } from './definition-to-bpmn';
import { markerOf, nodeStates, STATE_LABEL, takenFlows, type ExecutionLike, type NodeState } from './diagram-status';
import './diagram.css';

export interface DiagramProps {
  readonly definition: DiagramDefinition;
  /** the instance's node executions, in execution order: colours the nodes and the path taken */
  readonly executions?: readonly ExecutionLike[];
  /** the selected node's id (outlined, and pressed in the list) */
  readonly selected?: string | null;
  /** a node clicked on the diagram or chosen in the list */
  readonly onSelect?: (nodeId: string) => void;
  /** the accessible name of the diagram */
  readonly label: string;
  /** one column: diagrams side by side */
  readonly compact?: boolean;
  /** a DOM id prefix, unique on the page */
  readonly idPrefix?: string;
}

const LEGEND: readonly NodeState[] = ['done', 'active', 'failed', 'cancelled', 'not-reached'];

type Phase = { readonly kind: 'loading' } | { readonly kind: 'ready' } | { readonly kind: 'failed'; readonly message: string };

export function Diagram({ definition, executions, selected = null, onSelect, label, compact = false, idPrefix = 'diagram' }: DiagramProps) {
  const container = useRef<HTMLDivElement>(null);
  const rendered = useRef<RenderedDiagram | null>(null);
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const exported = useMemo(() => definitionToBpmn(definition), [definition]);
  const states = useMemo(() => nodeStates(executions ?? []), [executions]);
  const taken = useMemo(() => takenFlows(exported.flows, executions ?? [], exported.joinNodeIds), [exported, executions]);
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;

  // import once per definition; a click on a node's shape selects the node
  useEffect(() => {
    const el = container.current;
    if (!el) return;
    let cancelled = false;
    setPhase({ kind: 'loading' });
    void import('./bpmn-render')
      .then(({ renderDiagram }) =>
        renderDiagram(el, exported.xml, (elementId) => {
          const nodeId = exported.nodeIds.get(elementId);
          if (nodeId !== undefined) onSelectRef.current?.(nodeId);
        }),
      )
      .then(
        (diagram) => {
          if (cancelled) {
            diagram.destroy();
            return;
          }
          rendered.current = diagram;
          setPhase({ kind: 'ready' });
        },
        (err: unknown) => {
          if (!cancelled) setPhase({ kind: 'failed', message: err instanceof Error ? err.message : String(err) });
        },
      );
    return () => {
      cancelled = true;
      rendered.current?.destroy();
      rendered.current = null;
    };
  }, [exported]);

  // markers: each node's state, the flows taken, the selection
  useEffect(() => {
    const diagram = rendered.current;
    if (phase.kind !== 'ready' || !diagram) return;
    const markers = new Map<string, string[]>();
    const add = (id: string, marker: string) => markers.set(id, [...(markers.get(id) ?? []), marker]);
    if (executions) for (const [nodeId, state] of states) add(exported.elementIds.get(nodeId) ?? '', markerOf(state));
    for (const flowId of taken) add(flowId, 'wf-taken');
    if (onSelect) for (const id of exported.elementIds.values()) add(id, 'wf-clickable');
    if (selected !== null) {
      const id = exported.elementIds.get(selected);
      if (id) add(id, 'wf-selected');
    }
    markers.delete('');
    diagram.setMarkers(markers);
  }, [phase, exported, states, taken, selected, executions, onSelect]);

  const download = () => {
    const xml = rendered.current?.xml ?? exported.xml;
    const url = URL.createObjectURL(new Blob([xml], { type: 'application/xml' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${definition.name.replace(/[^\w.-]+/g, '_') || 'workflow'}.bpmn`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  const listId = `${idPrefix}-nodes`;
  return (
    <div className={`wf-diagram${compact ? ' compact' : ''}`} data-testid={`${idPrefix}`}>
      <div>
        <div
          ref={container}
          className="wf-diagram-canvas"
          role="group"
          aria-label={`${label} (BPMN diagram; the steps are listed as buttons in “Steps”)`}
          data-state={phase.kind}
        />
        <p className="muted" role="status" aria-live="polite">
          {phase.kind === 'loading' && 'Drawing the diagram…'}
          {phase.kind === 'failed' && `The diagram could not be drawn: ${phase.message}. The steps are listed instead.`}
        </p>
      </div>
      <div className="wf-diagram-side">
        {executions && (
          <div>
            <h3 id={`${idPrefix}-legend`}>Legend</h3>
            <ul className="wf-legend" aria-labelledby={`${idPrefix}-legend`}>
              {LEGEND.map((state) => (
                <li key={state}>
                  <span className={`wf-swatch ${markerOf(state)}`} aria-hidden="true" />
                  {STATE_LABEL[state]}
                </li>
              ))}
              <li>
                <span className="wf-swatch wf-taken" aria-hidden="true" />
                Path taken
              </li>
            </ul>
          </div>
        )}
        <div>
          <h3 id={listId}>Steps</h3>
          <ul className="wf-node-list" aria-labelledby={listId}>
            {definition.nodes.map((node) => {
              const state = executions ? (states.get(node.id) ?? 'not-reached') : null;
              const text = (
                <>
                  <span>{node.name || node.id}</span>
                  {state && <span className={`wf-node-state ${markerOf(state)}`}>{STATE_LABEL[state]}</span>}
                  {!state && <span className="muted wf-node-state">{node.nodeType.replace(/_/g, ' ')}</span>}
                </>
              );
              return (
                <li key={node.id}>
                  {onSelect ? (
                    <button type="button" aria-pressed={selected === node.id} data-node-id={node.id} onClick={() => onSelect(node.id)}>
                      {text}
                    </button>
                  ) : (
                    <span className="wf-node-item">{text}</span>
                  )}
                </li>
              );
            })}
          </ul>
        </div>
        <div className="wf-diagram-actions">
          <button type="button" onClick={download}>
            Download BPMN
          </button>
          <button type="button" onClick={() => rendered.current?.fit()} disabled={phase.kind !== 'ready'}>
            Fit diagram
          </button>
        </div>
      </div>
    </div>
  );
}
