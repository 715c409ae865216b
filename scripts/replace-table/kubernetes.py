"""
The Kubernetes provider's replace rules, transcribed from pulumi-kubernetes
provider/pkg/provider/diff.go (`forceNew`, `forceNewProperties`) and helm_release.go
(`forceNewFields`), as read at commit 94977969d (July 2026; @pulumi/kubernetes 4.34.2 is the
version the programs pin). Rules:
- every kind replaces on a change of metadata.name or metadata.namespace (its identity);
- the kinds below add their immutable fields (`[*]` spans list items);
- Secret (type, stringData, data) and ConfigMap (binaryData, data) replace unless the provider sets
  enableSecretMutable / enableConfigMapMutable (the programs set neither) or the object is immutable;
- helm.sh/v3 Release replaces on `name` and `namespace`.
Kinds are keyed `group/version:Kind` (`core` for the legacy group); gaps are kinds the provider
lists under older API versions only (apps/v1beta1, policy/v1beta1 PodDisruptionBudget): their
v1 successors get the metadata rule, as the provider does.
"""

LABEL_SELECTOR = lambda p: [p + '.matchExpressions', p + '.matchLabels']
CONTAINER = ['args', 'command', 'env', 'image', 'imagePullPolicy', 'lifecycle', 'livenessProbe', 'ports', 'readinessProbe', 'resources', 'securityContext', 'stdin', 'stdinOnce', 'terminationMessagePath', 'terminationMessagePolicy', 'tty', 'volumeDevices', 'volumeMounts', 'workingDir']

METADATA = ['metadata.name', 'metadata.namespace']

KINDS = {
    'apps/v1:Deployment': ['spec.selector'] + LABEL_SELECTOR('spec.selector'),
    'apps/v1:DaemonSet': ['spec.selector'] + LABEL_SELECTOR('spec.selector'),
    'apps/v1:StatefulSet': ['spec.podManagementPolicy', 'spec.revisionHistoryLimit', 'spec.selector', 'spec.serviceName', 'spec.volumeClaimTemplates'] + LABEL_SELECTOR('spec.selector'),
    'batch/v1:Job': ['spec.completions', 'spec.parallelism', 'spec.selector', 'spec.template'] + LABEL_SELECTOR('spec.selector'),
    'rbac.authorization.k8s.io/v1:RoleBinding': ['roleRef'],
    'rbac.authorization.k8s.io/v1:ClusterRoleBinding': ['roleRef'],
    'storage.k8s.io/v1:StorageClass': ['parameters', 'provisioner'],
    'core/v1:PersistentVolume': ['spec.' + s for s in ['awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'csi', 'fc', 'flexVolume', 'flocker', 'gcePersistentDisk', 'glusterfs', 'hostPath', 'iscsi', 'local', 'nfs', 'photonPersistentDisk', 'portworxVolume', 'quobyte', 'rbd', 'scaleIO', 'storageos', 'vsphereVolume']],
    'core/v1:PersistentVolumeClaim': ['spec.accessModes', 'spec.selector', 'spec.storageClassName', 'spec.volumeName'] + LABEL_SELECTOR('spec.selector'),
    'core/v1:Pod': ['spec.' + s for s in ['affinity', 'automountServiceAccountToken', 'dnsConfig', 'dnsPolicy', 'enableServiceLinks', 'hostAliases', 'hostIPC', 'hostNetwork', 'hostPID', 'hostname', 'imagePullSecrets', 'nodeName', 'nodeSelector', 'overhead', 'preemptionPolicy', 'priority', 'priorityClassName', 'readinessGates', 'restartPolicy', 'runtimeClassName', 'schedulerName', 'securityContext', 'serviceAccount', 'serviceAccountName', 'shareProcessNamespace', 'subdomain', 'terminationGracePeriodSeconds', 'volumes']]
                   + ['spec.containers[*].' + c for c in CONTAINER] + ['spec.initContainers[*].' + c for c in CONTAINER],
    'core/v1:ResourceQuota': ['spec.scopes'],
    'core/v1:Secret': ['type', 'stringData', 'data'],
    'core/v1:ConfigMap': ['binaryData', 'data'],
    'core/v1:Service': ['spec.clusterIP'],
}

# Not API objects: the provider's own resources.
SPECIAL = {
    'kubernetes:helm.sh/v3:Release': {'replaceOn': ['name', 'namespace'], 'why': 'pulumi-kubernetes helm_release.go: forceNewFields .name and .namespace'},
    'pulumi:providers:kubernetes': {'replaceOn': [], 'why': 'provider configuration: a kubeconfig change is an update of the provider here (the engine asks DiffConfig; not modelled)'},
}
