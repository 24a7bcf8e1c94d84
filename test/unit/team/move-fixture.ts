/**
 * A local project that has seen every kind of work a team project must carry over: two runs (the
 * second supersedes untouched patches of the first and links to decided ones), reviews by two
 * analysts, attributes, an edited outline, a split, a drawn patch and a deletion.
 */
import type { ProjectStore } from '../../../electron/engine/store/project-store.js';
import { detection, newRun, rectRing, tempProject, X0, Y0, SIZE_M } from '../store/fixtures.js';

export function richProject(): { store: ProjectStore; path: string; dir: string } {
  const made = tempProject('round');
  const { store } = made;
  store.addRun(
    newRun(),
    Array.from({ length: 12 }, (_, i) => detection(i * 30, 0, i * 30 + 20, 10, 0.3 + i * 0.05)),
  );
  store.review(1, 'confirmed', 'new shed', 'alice');
  store.review(2, 'rejected', 'shadow', 'bob');
  store.review(3, 'field_check', null, 'alice');
  store.setAttributes([1], { changeClass: '01', legality: '2', parcelNo: 'P-17' }, 'alice');
  store.setGeometry(4, [rectRing(90, 0, 115, 12)], 'bob');
  store.split(
    5,
    [
      [X0 + 130, Y0 - SIZE_M - 1],
      [X0 + 130, Y0 - SIZE_M + 11],
    ],
    'alice',
  );
  store.review(6, 'confirmed', null, 'bob');
  store.createPatch(
    [rectRing(300, 100, 320, 120)],
    'confirmed',
    'drawn',
    { changeClass: '05' },
    'bob',
  );
  store.deletePatches([7], 'alice');
  // A second run over part of the scene: links to decided patches, supersedes untouched ones
  // (over x < 260 m: untouched #8 and #9 are superseded, #10 to #12 stay current).
  store.addRun({ ...newRun(), area: [X0, Y0 - SIZE_M, X0 + 260, Y0] }, [
    detection(0, 0, 20, 10, 0.9),
    detection(400, 300, 420, 320, 0.8),
  ]);
  return made;
}
