/** `['nodes', 2, 'approverRole']` -> `nodes[2].approverRole`; odd keys are quoted: `values["a b"]`. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else {
      const key = String(segment);
      if (/^[A-Za-z_$][\w$]*$/.test(key)) path += path ? `.${key}` : key;
      else path += `[${JSON.stringify(key)}]`;
    }
  }
  return path;
}
