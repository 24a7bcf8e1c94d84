/**
 * The backend behind the API contract: one handler per channel, each validating its payload with
 * the contract's schema before doing anything. Transport-neutral: Electron IPC and the HTTP server
 * both call {@link Backend.handle}; what differs between them (file dialogs, file URLs, where
 * exports go) comes in through a {@link Host}.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { userInfo } from 'node:os';
import { basename } from 'node:path';
import type { ApiEvent, Channel, ParsedRequestOf, ResponseOf } from '../../common/contract.js';
import { contract, isChannel } from '../../common/contract.js';
import type { TeamChannel } from '../../common/team-contract.js';
import { LandWatchError, isAbort, toErrorBody } from '../errors.js';
import { aoiBounds, aoiRings } from '../inference/aoi.js';
import { installModelFolder, removeUserModel } from '../inference/model-install.js';
import { defaultModel, modelInfo, scanModels } from '../inference/model-registry.js';
import { availableProviders } from '../inference/session.js';
import { runDetectJob } from '../jobs/run-detect-job.js';
import { projectHandlers } from './project-handlers.js';
import type { PdfPrinter } from '../report/pdf.js';
import { evidenceInputFromProject, writeEvidenceReport } from '../report/evidence-report.js';
import { checkProjectExport, exportProject } from './export-project.js';
import { FileTokens } from './file-tokens.js';
import { codeAfterRun } from '../codes/project-codes.js';
import { adaptHandlers, projectModelId } from './adapt-handlers.js';
import { codeHandlers } from './code-handlers.js';
import { displayHandlers } from './display-handlers.js';
import { leaseHandlers } from './lease-handlers.js';
import { patchHandlers } from './patch-handlers.js';
import { rankHandlers } from './rank-handlers.js';
import { ReferenceLayers } from './reference-handlers.js';
import { ProjectRegistry } from './project-registry.js';
import { teamServerOrigin } from '../team/team-server-url.js';

/** What differs between the desktop app and `landwatch serve`. */
export interface Host {
  transport: 'electron' | 'http';
  /** Asks the user for an image; resolves to an absolute path, or null when cancelled. */
  pickImage(role: 'before' | 'after', typedPath: string | undefined): Promise<string | null>;
  /** Asks the user for a project file (.landwatch); null when cancelled. Absent: typed paths. */
  pickProject?(typedPath: string | undefined): Promise<string | null>;
  /** Asks the user for a model folder (card.json + ONNX); null when cancelled. */
  pickModelFolder(typedPath: string | undefined): Promise<string | null>;
  /**
   * Asks the user for a reference layer file (.shp, .geojson, .gpkg); resolves to an absolute
   * path, or null when cancelled. Hosts without it take the path typed in the request.
   */
  pickVectorFile?(typedPath: string | undefined): Promise<string | null>;
  /** A URL the renderer can range-read a registered file from. */
  fileUrl(token: string): string;
  /** Where to write an export; null when the user cancels. `location` is what the UI is told. */
  exportTarget(
    defaultName: string,
  ): Promise<{ path: string; location: (path: string) => string } | null>;
  /** Prints evidence reports to PDF (the desktop app's own Chromium); default headless Chromium. */
  pdfPrinter?: PdfPrinter;
  /** Opens a team server's page in a window of its own (the desktop); absent: the page goes. */
  openTeamWindow?(origin: string): Promise<void>;
}

export const APP_VERSION = '0.1.0';

type Handlers = { [C in Channel]: (req: ParsedRequestOf<C>) => Promise<ResponseOf<C>> };

export class Backend {
  readonly files = new FileTokens();
  readonly projects: ProjectRegistry;
  private readonly events = new EventEmitter();
  private readonly jobs = new Map<string, AbortController>();
  private readonly handlers: Handlers;
  private readonly reference: ReferenceLayers;

  constructor(private readonly host: Host) {
    this.projects = new ProjectRegistry(this.files, (token) => host.fileUrl(token));
    this.reference = new ReferenceLayers(
      (projectId) => this.projects.store(projectId),
      host.pickVectorFile?.bind(host),
    );
    this.handlers = {
      'app.info': async () => {
        const scan = scanModels();
        return {
          version: APP_VERSION,
          transport: host.transport,
          executionProviders: availableProviders(),
          models: scan.models.map(modelInfo),
          defaultModelId: defaultModel(scan)?.card.id ?? null,
        };
      },
      'models.add': async (req) => {
        const folder = await host.pickModelFolder(req.path);
        if (folder === null) return null;
        return modelInfo(await installModelFolder(folder, { replace: req.replace }));
      },
      'models.remove': async (req) => ({ removed: removeUserModel(req.modelId) }),
      'file.pickImage': async (req) => {
        const path = await host.pickImage(req.role, req.path);
        if (path === null) return null;
        return this.files.register(path);
      },
      ...projectHandlers({
        projects: this.projects,
        files: this.files,
        ...(host.pickProject ? { pickProject: host.pickProject.bind(host) } : {}),
      }),
      'project.get': async (req) => await this.projects.view(req.projectId),
      ...displayHandlers(this.projects, (event) => this.emit(event), this.jobs),
      'detect.start': async (req) => this.startDetection(req),
      'detect.cancel': async (req) => {
        const job = this.jobs.get(req.jobId);
        job?.abort();
        return { cancelled: job !== undefined };
      },
      ...patchHandlers((projectId) => this.projects.reviewStore(projectId), reviewer),
      ...leaseHandlers((projectId) => this.projects.reviewStore(projectId), reviewer),
      ...this.reference.handlers(),
      ...codeHandlers((projectId) => this.projects.store(projectId), reviewer),
      ...rankHandlers((projectId) => this.projects.store(projectId)),
      ...adaptHandlers(
        (projectId) => this.projects.store(projectId),
        (event) => this.emit(event),
        this.jobs,
        reviewer,
      ),
      ...notATeamServer(this.host),
      'export.run': async (req) => {
        const store = this.projects.store(req.projectId);
        const ext = req.format === 'geojson' ? 'geojson' : req.format;
        const target = await host.exportTarget(`${safeName(store.name)}-changes.${ext}`);
        if (!target) return null;
        const written = await exportProject(store, req.format, target.path, {
          states: req.states,
          profile: req.profile,
          encoding: req.encoding,
        });
        return {
          fileName: written.fileName,
          features: written.features,
          location: target.location(written.path),
        };
      },
      'export.check': async (req) => {
        const check = checkProjectExport(this.projects.store(req.projectId), req.format, {
          states: req.states,
          profile: req.profile,
          encoding: req.encoding,
        });
        return { ok: check.ok, features: check.features, problems: check.problems };
      },
      'report.evidence': async (req) => {
        const store = this.projects.store(req.projectId);
        const numbers = req.patchIds?.map((pid) => store.patch(Number(pid)).number);
        const input = evidenceInputFromProject(store, { states: req.states, numbers });
        const target = await host.exportTarget(`${safeName(store.name)}-evidence.${req.format}`);
        if (!target) return null;
        const written = await writeEvidenceReport(target.path, input, {
          overwrite: true,
          ...(host.pdfPrinter ? { printer: host.pdfPrinter } : {}),
        });
        return {
          fileName: basename(written.path),
          patches: written.patches,
          location: target.location(written.path),
        };
      },
    };
  }

  /** Validates and runs one request. Throws LandWatchError (E_BAD_REQUEST for bad payloads). */
  async handle(channel: string, payload: unknown): Promise<unknown> {
    if (!isChannel(channel))
      throw new LandWatchError('E_BAD_REQUEST', `Unknown API channel "${channel}".`);
    const parsed = contract[channel].request.safeParse(payload ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue.path.length > 0 ? `"${issue.path.join('.')}"` : 'payload';
      throw new LandWatchError('E_BAD_REQUEST', `${channel}: invalid ${where}: ${issue.message}.`);
    }
    const handler = this.handlers[channel] as (req: unknown) => Promise<unknown>;
    this.reference.refresh(parsed.data); // overlaps of patches changed since the last request
    return handler(parsed.data);
  }

  onEvent(listener: (event: ApiEvent) => void): () => void {
    this.events.on('event', listener);
    return () => this.events.off('event', listener);
  }

  private emit(event: ApiEvent): void {
    this.events.emit('event', event);
  }

  private async startDetection(req: ParsedRequestOf<'detect.start'>): Promise<{ jobId: string }> {
    const store = this.projects.store(req.projectId);
    const before = store.scene('before');
    const after = store.scene('after');
    const jobId = randomUUID();
    const controller = new AbortController();
    this.jobs.set(jobId, controller);
    const startedAt = new Date().toISOString();
    const t0 = performance.now();
    let lastEmit = 0;
    const params = {
      beforePath: before.path,
      afterPath: after.path,
      // A project adapted to its decisions runs its own model unless another is picked.
      modelId: req.modelId ?? projectModelId(store) ?? undefined,
      threshold: req.threshold,
      minArea: req.minArea,
      device: req.device,
      ...(req.aoi ? { aoi: req.aoi } : {}),
      ...(req.declutter ? { declutter: req.declutter } : {}),
    };
    runDetectJob(params, {
      signal: controller.signal,
      onProgress: (p) => {
        const now = performance.now();
        if (now - lastEmit < 100 && p.done < p.total) return;
        lastEmit = now;
        this.emit({ type: 'job.progress', jobId, projectId: req.projectId, ...p });
      },
    })
      .then(async (summary) => {
        const run = store.addRun(
          {
            id: randomUUID(),
            modelId: summary.modelId,
            modelVersion: summary.modelVersion,
            threshold: summary.threshold,
            minArea: summary.minArea,
            params: {
              ...params,
              notes: summary.notes,
              fallbacks: summary.fallbacks,
              seconds: summary.seconds,
              // The project view offers it to the renderer as the run's heat layer.
              probabilityPath: summary.probabilityPath ?? null,
            },
            executionProvider: summary.executionProvider,
            startedAt,
            ...(req.aoi ? { area: aoiBounds(aoiRings(req.aoi)) } : {}),
            seconds: (performance.now() - t0) / 1000,
          },
          summary.polygons,
        );
        // Post-step: the new patches' codes (find similar, duplicates, carry-over); cancellable.
        await codeAfterRun(store, {
          signal: controller.signal,
          onProgress: (done, total) =>
            this.emit({
              type: 'job.progress',
              jobId,
              projectId: req.projectId,
              phase: 'coding patches',
              done,
              total,
              etaSeconds: null,
              executionProvider: 'cpu',
            }),
        });
        this.emit({ type: 'job.done', jobId, projectId: req.projectId, run });
      })
      .catch((error: unknown) => {
        if (isAbort(error)) this.emit({ type: 'job.cancelled', jobId, projectId: req.projectId });
        else
          this.emit({
            type: 'job.failed',
            jobId,
            projectId: req.projectId,
            error: toErrorBody(error),
          });
      })
      .finally(() => this.jobs.delete(jobId));
    return { jobId };
  }

  /** Cancels running jobs and closes every project. */
  async dispose(): Promise<void> {
    for (const job of this.jobs.values()) job.abort();
    this.projects.closeAll();
    this.events.removeAllListeners();
  }
}

function reviewer(): string {
  try {
    return userInfo().username || 'analyst';
  } catch {
    return 'analyst';
  }
}

/** The team channels on a single-user backend: one clear refusal each. */
function notATeamServer(host: Host): Pick<Handlers, TeamChannel> {
  const refuse = (channel: TeamChannel) => async (): Promise<never> => {
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `${channel}: this is not a team server (start one with "landwatch serve --team --db …").`,
    );
  };
  return {
    'team.login': refuse('team.login'),
    'team.logout': refuse('team.logout'),
    'team.me': refuse('team.me'),
    'team.projects': refuse('team.projects'),
    'team.openServer': async (req) => {
      const url = teamServerOrigin(req.url, req.allowInsecure);
      if (!host.openTeamWindow) return { url, opened: false };
      await host.openTeamWindow(url);
      return { url, opened: true };
    },
  };
}

function safeName(name: string): string {
  return name.replace(/[^\p{L}\p{N}._-]+/gu, '_').slice(0, 80) || 'project';
}
