/** bpmn-auto-layout ships no types: it takes BPMN XML without diagram interchange and returns it laid out. */
declare module 'bpmn-auto-layout' {
  export function layoutProcess(xml: string): Promise<string>;
}
