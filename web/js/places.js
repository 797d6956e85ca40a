// The cities a member can pick when they say where they are now: the red-flag
// map's own table, so what they pick lands on the map. Typing anything else
// is still allowed. Loaded only when the field is first used (51 KB).

export async function offer(list) {
  if (list.options.length) return;
  const response = await fetch('/geo/places.tsv');
  if (!response.ok) return;
  const table = await response.text();
  const options = table.split('\n').filter((line) => line && !line.startsWith('#')).map((line) => {
    const [, name, , , province] = line.split('\t');
    const option = document.createElement('option');
    option.value = name;
    if (province !== name) option.label = province;
    return option;
  });
  if (!list.options.length) list.append(...options);
}
