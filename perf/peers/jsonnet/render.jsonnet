// The Jsonnet peer of perf/compare.sh: renders, for every service's values
// (deployc-corpus --peer), the objects deployc renders for it.
//
//   jsonnet -S -m OUT --tla-code-file values=index.jsonnet --tla-str mode=files render.jsonnet
//   jsonnet -S        --tla-code-file values=index.jsonnet --tla-str mode=stream render.jsonnet
//
// index.jsonnet is `[import "values/svc-00000.json", ...]`. In files mode
// the result is {"<service>/<dir>/<file>": text} for `-m`; in stream mode
// one multi-document YAML string (std.manifestYamlStream's shape, with a
// header comment per document as deployc and helm write).
function(values, mode='stream')
  local header(v) = '# Rendered by jsonnet from the values of %s. Do not edit.\n' % v.name;
  // 0.06 -> "6" (ratio to percent without float noise).
  local pct(x) = std.toString(std.floor(x * 10000 + 0.5) / 100);
  // Thresholds inside strings: %g prints 0.06, not 0.059999999999999998.
  local num(x) = '%g' % x;
  local dns(s) = std.strReplace(s, '_', '-');
  local camel(s) = std.join('', [
    std.asciiUpper(w[0]) + w[1:] for w in std.split(s, '_')
  ]);
  local guard = 'len(result) > 0 && !isNaN(result[0])';

  local objects(v) =
    local labels = {
      'app.kubernetes.io/instance': v.name,
      'app.kubernetes.io/managed-by': 'jsonnet',
      'app.kubernetes.io/name': v.name,
      'app.kubernetes.io/part-of': v.name,
      'app.kubernetes.io/version': v.version,
    };
    local selector = {
      'app.kubernetes.io/instance': v.name,
      'app.kubernetes.io/name': v.name,
    };
    local meta(name) = { labels: labels, name: name, namespace: v.namespace };
    local m = v.metric;
    local t = v.trigger + { interval: '1m' };
    local gates = [s.analysis for s in v.steps if std.objectHas(s, 'analysis')];
    local gateName = v.name + '-rollout-' + dns(m.name);
    local triggerName = v.name + '-trigger-' + dns(t.name);
    local rec = 'deployc:' + m.name;
    local service(name) = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(name),
      spec: {
        ports: [{ name: 'http', port: v.port, protocol: 'TCP', targetPort: 'http' }],
        selector: selector,
        type: 'ClusterIP',
      },
    };
    local words = std.strReplace(t.name, '_', ' ');
    local alertLabels(sev) = { metric: m.name, release: v.name, severity: sev, spec_severity: sev };
    local w = pct(m.warning), c = pct(m.critical), tc = pct(t.threshold);
    local secCtx = {
      runAsNonRoot: true,
      runAsUser: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    };
    {
      'kubernetes/horizontalpodautoscaler.yaml': {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: meta(v.name),
        spec: {
          maxReplicas: v.autoscale.max,
          metrics: [{
            resource: { name: 'cpu', target: { averageUtilization: v.autoscale.cpu, type: 'Utilization' } },
            type: 'Resource',
          }],
          minReplicas: v.autoscale.min,
          scaleTargetRef: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: v.name },
        },
      },
      'kubernetes/poddisruptionbudget.yaml': {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: meta(v.name),
        spec: { minAvailable: v.pdb.minAvailable, selector: { matchLabels: selector } },
      },
      'kubernetes/service.yaml': service(v.name),
      'kubernetes/service-canary.yaml': service(v.name + '-canary'),
      'kubernetes/serviceaccount.yaml': {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        automountServiceAccountToken: false,
        metadata: meta(v.name),
      },
      'prometheus/prometheusrule.yaml': {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata: {
          labels: {
            'app.kubernetes.io/component': 'alerting',
            'app.kubernetes.io/managed-by': 'jsonnet',
            'app.kubernetes.io/name': v.name,
            'app.kubernetes.io/part-of': v.name,
          },
          name: v.name + '-deployc',
          namespace: v.namespace,
        },
        spec: {
          groups: [
            {
              name: v.name + '-recording',
              rules: [{ record: rec, expr: m.query, labels: { release: v.name } }],
            },
            {
              name: v.name + '-alerts',
              rules: [
                {
                  alert: camel(t.name),
                  expr: '%s > %s' % [rec, num(t.threshold)],
                  'for': t['for'],
                  labels: alertLabels(t.severity),
                  annotations: {
                    description: '%s (%s) has been > %s%% for %s without a break. Threshold as written: > %s%%; as compared: %s > %s (unit: ratio). Action: roll back (abort the rollout and follow the rollback procedure). Notifies: %s.' % [m.title, m.name, tc, t['for'], tc, rec, num(t.threshold), v.oncall],
                    runbook_url: 'runbook.md#alert-' + std.asciiLower(camel(t.name)),
                    summary: '%s: %s > %s%% for %s' % [std.asciiUpper(words[0]) + words[1:], m.title, tc, t['for']],
                  },
                },
                {
                  alert: camel(m.name) + 'Warning',
                  expr: '%s >= %s' % [rec, num(m.warning)],
                  'for': m['for'],
                  labels: alertLabels('warning'),
                  annotations: {
                    description: '%s (%s) has been >= %s%% for %s without a break. Threshold as written: >= %s%%; as compared: %s >= %s (unit: ratio). This is the warning band (%s%%..%s%%) of %s.' % [m.title, m.name, w, m['for'], w, rec, num(m.warning), w, c, m.title],
                    runbook_url: 'runbook.md#alert-' + std.asciiLower(camel(m.name)) + 'warning',
                    summary: '%s is warning (%s%%..%s%%)' % [m.title, w, c],
                  },
                },
                {
                  alert: camel(m.name) + 'Critical',
                  expr: '%s > %s' % [rec, num(m.critical)],
                  'for': m['for'],
                  labels: alertLabels('critical'),
                  annotations: {
                    description: '%s (%s) has been > %s%% for %s without a break. Threshold as written: > %s%%; as compared: %s > %s (unit: ratio). This is the critical band (> %s%%) of %s.' % [m.title, m.name, c, m['for'], c, rec, num(m.critical), c, m.title],
                    runbook_url: 'runbook.md#alert-' + std.asciiLower(camel(m.name)) + 'critical',
                    summary: '%s is critical (> %s%%)' % [m.title, c],
                  },
                },
              ],
            },
          ],
        },
      },
      'rollouts/analysistemplate-gate.yaml': {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'AnalysisTemplate',
        metadata: meta(gateName),
        spec: {
          metrics: [{
            name: dns(m.name),
            interval: g.interval,
            count: g.count,
            failureLimit: 0,
            successCondition: '%s && result[0] < %s' % [guard, num(g.threshold)],
            failureCondition: '%s && !(result[0] < %s)' % [guard, num(g.threshold)],
            provider: { prometheus: { address: v.prometheus, query: m.query } },
          } for g in gates],
        },
      },
      'rollouts/analysistemplate-trigger.yaml': {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'AnalysisTemplate',
        metadata: meta(triggerName),
        spec: {
          metrics: [{
            name: dns(m.name),
            interval: t.interval,
            failureLimit: 0,
            failureCondition: '%s && result[0] > %s' % [guard, num(t.threshold)],
            provider: { prometheus: {
              address: v.prometheus,
              query: 'min_over_time((%s)[%s:%s])' % [m.query, t['for'], t.interval],
            } },
          }],
        },
      },
      'rollouts/rollout.yaml': {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        metadata: meta(v.name),
        spec: {
          revisionHistoryLimit: 5,
          selector: { matchLabels: selector },
          template: {
            metadata: { labels: labels },
            spec: {
              automountServiceAccountToken: false,
              containers: [{
                image: v.image,
                name: v.name,
                ports: [{ containerPort: v.port, name: 'http', protocol: 'TCP' }],
                resources: v.resources,
                securityContext: secCtx {
                  allowPrivilegeEscalation: false,
                  capabilities: { drop: ['ALL'] },
                  readOnlyRootFilesystem: true,
                },
                volumeMounts: [{ mountPath: '/tmp', name: 'tmp' }],
              }],
              securityContext: secCtx,
              serviceAccountName: v.name,
              volumes: [{ emptyDir: {}, name: 'tmp' }],
            },
          },
          strategy: { canary: {
            canaryService: v.name + '-canary',
            stableService: v.name,
            analysis: { templates: [{ templateName: triggerName }] },
            steps: [
              if std.objectHas(s, 'setWeight') then { setWeight: s.setWeight }
              else if std.objectHas(s, 'pause') then { pause: { duration: s.pause } }
              else { analysis: { templates: [{ templateName: gateName }] } }
              for s in v.steps
            ],
          } },
        },
      },
    };

  local dashboard(v) =
    local m = v.metric;
    local gate = [s.analysis for s in v.steps if std.objectHas(s, 'analysis')][0];
    local ds = { type: 'prometheus', uid: '${datasource}' };
    {
      description: 'Rendered by jsonnet from the values of %s. Do not edit.' % v.name,
      uid: v.name + '-' + v.name,
      title: '%s %s: %s' % [v.name, v.version, v.name],
      tags: ['deployc', v.name],
      editable: false,
      graphTooltip: 1,
      schemaVersion: 42,
      time: { from: 'now-6h', to: 'now' },
      refresh: '30s',
      timezone: 'browser',
      templating: { list: [{
        name: 'datasource',
        label: 'Data source',
        type: 'datasource',
        query: 'prometheus',
        regex: '',
        hide: 0,
        includeAll: false,
        multi: false,
        refresh: 1,
        options: [],
      }] },
      panels: [
        {
          type: 'row',
          id: 1,
          title: 'Metrics',
          collapsed: false,
          gridPos: { h: 1, w: 24, x: 0, y: 0 },
          panels: [],
        },
        {
          type: 'timeseries',
          id: 2,
          title: m.title,
          description: 'Gates: `rollout`: < %s%% for %s.\n\nAlerts: %s, %sWarning, %sCritical.' % [pct(gate.threshold), gate.window, camel(v.trigger.name), camel(m.name), camel(m.name)],
          datasource: ds,
          gridPos: { h: 8, w: 24, x: 0, y: 1 },
          targets: [{ datasource: ds, refId: 'A', expr: m.query, legendFormat: '__auto', range: true }],
          fieldConfig: {
            defaults: {
              unit: 'percentunit',
              color: { mode: 'palette-classic' },
              thresholds: { mode: 'absolute', steps: [
                { color: 'green', value: null },
                { color: 'yellow', value: m.warning },
                { color: 'red', value: m.critical },
              ] },
              custom: { drawStyle: 'line', lineWidth: 1, fillOpacity: 10, thresholdsStyle: { mode: 'line+area' } },
            },
            overrides: [],
          },
          options: {
            legend: { showLegend: true, displayMode: 'list', placement: 'bottom', calcs: [] },
            tooltip: { mode: 'multi', sort: 'none' },
          },
        },
      ],
    };

  local yaml(v, o) = header(v) + std.manifestYamlDoc(o, quote_keys=false) + '\n';

  if mode == 'files' then {
    [v.name + '/' + f]: yaml(v, o[f])
    for v in values
    for o in [objects(v)]
    for f in std.objectFields(o)
  } + {
    [v.name + '/grafana/dashboard.json']: std.manifestJsonEx(dashboard(v), '  ') + '\n'
    for v in values
  }
  else std.join('', [
    '---\n' + yaml(v, o[f])
    for v in values
    for o in [objects(v)]
    for f in std.objectFields(o)
  ])
