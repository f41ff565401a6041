// Test inputs: the Kubernetes docs' example manifests (Samples/manifests) as JSON, a Pod shaped
// like kube-apiserver's answer, and a Deployment carrying fields no schema knows.

enum Fixtures {
    static let nginxDeployment = #"""
{
  "apiVersion": "apps/v1",
  "kind": "Deployment",
  "metadata": {
    "name": "nginx-deployment",
    "labels": {
      "app": "nginx"
    }
  },
  "spec": {
    "replicas": 3,
    "selector": {
      "matchLabels": {
        "app": "nginx"
      }
    },
    "template": {
      "metadata": {
        "labels": {
          "app": "nginx"
        }
      },
      "spec": {
        "containers": [
          {
            "name": "nginx",
            "image": "nginx:1.14.2",
            "ports": [
              {
                "containerPort": 80
              }
            ]
          }
        ]
      }
    }
  }
}
"""#

    static let webStatefulSet = #"""
{
  "apiVersion": "apps/v1",
  "kind": "StatefulSet",
  "metadata": {
    "name": "web"
  },
  "spec": {
    "serviceName": "nginx",
    "replicas": 2,
    "selector": {
      "matchLabels": {
        "app": "nginx"
      }
    },
    "template": {
      "metadata": {
        "labels": {
          "app": "nginx"
        }
      },
      "spec": {
        "containers": [
          {
            "name": "nginx",
            "image": "registry.k8s.io/nginx-slim:0.24",
            "ports": [
              {
                "containerPort": 80,
                "name": "web"
              }
            ],
            "volumeMounts": [
              {
                "name": "www",
                "mountPath": "/usr/share/nginx/html"
              }
            ]
          }
        ]
      }
    },
    "volumeClaimTemplates": [
      {
        "metadata": {
          "name": "www"
        },
        "spec": {
          "accessModes": [
            "ReadWriteOnce"
          ],
          "resources": {
            "requests": {
              "storage": "1Gi"
            }
          }
        }
      }
    ]
  }
}
"""#

    static let fluentdDaemonSet = #"""
{
  "apiVersion": "apps/v1",
  "kind": "DaemonSet",
  "metadata": {
    "name": "fluentd-elasticsearch",
    "namespace": "kube-system",
    "labels": {
      "k8s-app": "fluentd-logging"
    }
  },
  "spec": {
    "selector": {
      "matchLabels": {
        "name": "fluentd-elasticsearch"
      }
    },
    "template": {
      "metadata": {
        "labels": {
          "name": "fluentd-elasticsearch"
        }
      },
      "spec": {
        "tolerations": [
          {
            "key": "node-role.kubernetes.io/control-plane",
            "operator": "Exists",
            "effect": "NoSchedule"
          },
          {
            "key": "node-role.kubernetes.io/master",
            "operator": "Exists",
            "effect": "NoSchedule"
          }
        ],
        "containers": [
          {
            "name": "fluentd-elasticsearch",
            "image": "quay.io/fluentd_elasticsearch/fluentd:v5.0.1",
            "resources": {
              "limits": {
                "memory": "200Mi"
              },
              "requests": {
                "cpu": "100m",
                "memory": "200Mi"
              }
            },
            "volumeMounts": [
              {
                "name": "varlog",
                "mountPath": "/var/log"
              }
            ]
          }
        ],
        "terminationGracePeriodSeconds": 30,
        "volumes": [
          {
            "name": "varlog",
            "hostPath": {
              "path": "/var/log"
            }
          }
        ]
      }
    }
  }
}
"""#

    static let piJob = #"""
{
  "apiVersion": "batch/v1",
  "kind": "Job",
  "metadata": {
    "name": "pi"
  },
  "spec": {
    "template": {
      "spec": {
        "containers": [
          {
            "name": "pi",
            "image": "perl:5.34.0",
            "command": [
              "perl",
              "-Mbignum=bpi",
              "-wle",
              "print bpi(2000)"
            ]
          }
        ],
        "restartPolicy": "Never"
      }
    },
    "backoffLimit": 4
  }
}
"""#

    static let helloCronJob = #"""
{
  "apiVersion": "batch/v1",
  "kind": "CronJob",
  "metadata": {
    "name": "hello"
  },
  "spec": {
    "schedule": "* * * * *",
    "jobTemplate": {
      "spec": {
        "template": {
          "spec": {
            "containers": [
              {
                "name": "hello",
                "image": "busybox:1.28",
                "imagePullPolicy": "IfNotPresent",
                "command": [
                  "/bin/sh",
                  "-c",
                  "date; echo Hello from the Kubernetes cluster"
                ]
              }
            ],
            "restartPolicy": "OnFailure"
          }
        }
      }
    }
  }
}
"""#

    static let crontabCRD = #"""
{
  "apiVersion": "apiextensions.k8s.io/v1",
  "kind": "CustomResourceDefinition",
  "metadata": {
    "name": "crontabs.stable.example.com"
  },
  "spec": {
    "group": "stable.example.com",
    "versions": [
      {
        "name": "v1",
        "served": true,
        "storage": true,
        "schema": {
          "openAPIV3Schema": {
            "type": "object",
            "properties": {
              "spec": {
                "type": "object",
                "properties": {
                  "cronSpec": {
                    "type": "string"
                  },
                  "image": {
                    "type": "string"
                  },
                  "replicas": {
                    "type": "integer"
                  }
                }
              }
            }
          }
        },
        "subresources": {
          "status": {}
        },
        "additionalPrinterColumns": [
          {
            "name": "Spec",
            "type": "string",
            "jsonPath": ".spec.cronSpec"
          },
          {
            "name": "Replicas",
            "type": "integer",
            "jsonPath": ".spec.replicas"
          }
        ]
      }
    ],
    "scope": "Namespaced",
    "names": {
      "plural": "crontabs",
      "singular": "crontab",
      "kind": "CronTab",
      "shortNames": [
        "ct"
      ]
    }
  }
}
"""#

    static let serverPod = #"""
{
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {
    "name": "nginx-deployment-86dcfdf4c6-4vbx6",
    "generateName": "nginx-deployment-86dcfdf4c6-",
    "namespace": "default",
    "uid": "7e1c1ce1-0f9a-4b64-9d43-3c0f1a3b0f7e",
    "resourceVersion": "1234",
    "creationTimestamp": "2024-05-01T10:00:00Z",
    "labels": {
      "app": "nginx",
      "pod-template-hash": "86dcfdf4c6"
    },
    "ownerReferences": [
      {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "name": "nginx-deployment-86dcfdf4c6",
        "uid": "0b5c0f3e-3c7e-4e0f-a1c9-2f4c3b1a0d9e",
        "controller": true,
        "blockOwnerDeletion": true
      }
    ],
    "managedFields": [
      {
        "manager": "kube-controller-manager",
        "operation": "Update",
        "apiVersion": "v1",
        "time": "2024-05-01T10:00:00Z",
        "fieldsType": "FieldsV1",
        "fieldsV1": {
          "f:metadata": {
            "f:generateName": {},
            "f:labels": {
              ".": {},
              "f:app": {}
            }
          }
        }
      }
    ]
  },
  "spec": {
    "containers": [
      {
        "name": "nginx",
        "image": "nginx:1.14.2",
        "ports": [
          {
            "containerPort": 80,
            "protocol": "TCP"
          }
        ],
        "resources": {
          "limits": {
            "cpu": "500m",
            "memory": "128Mi"
          },
          "requests": {
            "cpu": "250m",
            "memory": "64Mi"
          }
        },
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "imagePullPolicy": "IfNotPresent",
        "readinessProbe": {
          "httpGet": {
            "path": "/",
            "port": "http",
            "scheme": "HTTP"
          },
          "initialDelaySeconds": 1,
          "timeoutSeconds": 1,
          "periodSeconds": 10,
          "successThreshold": 1,
          "failureThreshold": 3
        },
        "env": [
          {
            "name": "POD_NAME",
            "valueFrom": {
              "fieldRef": {
                "apiVersion": "v1",
                "fieldPath": "metadata.name"
              }
            }
          }
        ]
      }
    ],
    "restartPolicy": "Always",
    "terminationGracePeriodSeconds": 30,
    "dnsPolicy": "ClusterFirst",
    "serviceAccountName": "default",
    "serviceAccount": "default",
    "nodeName": "sim-1",
    "securityContext": {},
    "schedulerName": "default-scheduler",
    "affinity": {
      "nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {
          "nodeSelectorTerms": [
            {
              "matchExpressions": [
                {
                  "key": "kubernetes.io/os",
                  "operator": "In",
                  "values": [
                    "linux"
                  ]
                }
              ]
            }
          ]
        }
      }
    },
    "topologySpreadConstraints": [
      {
        "maxSkew": 1,
        "topologyKey": "topology.kubernetes.io/zone",
        "whenUnsatisfiable": "ScheduleAnyway",
        "labelSelector": {
          "matchLabels": {
            "app": "nginx"
          }
        }
      }
    ],
    "tolerations": [
      {
        "key": "node.kubernetes.io/not-ready",
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": 300
      },
      {
        "key": "node.kubernetes.io/unreachable",
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": 300
      }
    ],
    "priority": 0,
    "enableServiceLinks": true,
    "preemptionPolicy": "PreemptLowerPriority"
  },
  "status": {
    "phase": "Running",
    "conditions": [
      {
        "type": "Initialized",
        "status": "True",
                "lastTransitionTime": "2024-05-01T10:00:00Z"
      },
      {
        "type": "Ready",
        "status": "True",
                "lastTransitionTime": "2024-05-01T10:00:02Z"
      }
    ],
    "hostIP": "10.0.0.1",
    "hostIPs": [
      {
        "ip": "10.0.0.1"
      }
    ],
    "podIP": "10.244.0.5",
    "podIPs": [
      {
        "ip": "10.244.0.5"
      }
    ],
    "startTime": "2024-05-01T10:00:00Z",
    "containerStatuses": [
      {
        "name": "nginx",
        "state": {
          "running": {
            "startedAt": "2024-05-01T10:00:01Z"
          }
        },
        "lastState": {},
        "ready": true,
        "restartCount": 0,
        "image": "docker.io/library/nginx:1.14.2",
        "imageID": "docker.io/library/nginx@sha256:f7988fb6c02e0ce69257d9bd9cf37ae20a60f1df7563c3a2a6abe24160306b8d",
        "containerID": "containerd://4c1b",
        "started": true
      }
    ],
    "qosClass": "Burstable"
  }
}
"""#

    static let deploymentWithFutureFields = #"""
{
  "apiVersion": "apps/v1",
  "kind": "Deployment",
  "metadata": {
    "name": "nginx-deployment",
    "labels": {
      "app": "nginx"
    },
    "futureMeta": [
      1,
      2
    ]
  },
  "spec": {
    "replicas": 3,
    "selector": {
      "matchLabels": {
        "app": "nginx"
      }
    },
    "template": {
      "metadata": {
        "labels": {
          "app": "nginx"
        }
      },
      "spec": {
        "containers": [
          {
            "name": "nginx",
            "image": "nginx:1.14.2",
            "ports": [
              {
                "containerPort": 80
              }
            ],
            "sidecarMode": true
          }
        ],
        "futurePodField": {
          "nested": {
            "deep": [
              {
                "a": null
              }
            ]
          }
        }
      }
    },
    "futureSpecField": "kept"
  },
  "topLevelFuture": {
    "x": 1
  },
  "status": {
    "replicas": 3,
    "futureStatus": "x",
    "conditions": [
      {
        "type": "Available",
        "status": "True",
        "lastUpdateTime": "2024-05-01T10:00:00Z",
        "lastTransitionTime": "2024-05-01T10:00:00Z",
        "reason": "MinimumReplicasAvailable",
        "message": "Deployment has minimum availability.",
        "futureCond": 1
      }
    ]
  }
}
"""#

}
