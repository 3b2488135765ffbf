___TERMS_OF_SERVICE___

Use of this template is subject to the Google Tag Manager Community Template Gallery
Developer Terms of Service: https://developers.google.com/tag-manager/gallery-tos


___INFO___

{
  "type": "TAG",
  "id": "cvt_temp_public_id",
  "version": 1,
  "securityGroups": [],
  "displayName": "Assent - Consent Mode",
  "categories": [
    "TAG_MANAGEMENT",
    "UTILITY"
  ],
  "brand": {
    "id": "brand_assent",
    "displayName": "Assent"
  },
  "description": "Google Consent Mode v2 for sites that run the Assent consent widget beside GTM: denied defaults (per region if you wish) on Consent Initialization, then the visitor's choice from window.assent, now and on every change.",
  "containerContexts": [
    "WEB"
  ]
}


___TEMPLATE_PARAMETERS___

[
  {
    "type": "LABEL",
    "name": "howTo",
    "displayName": "Fire this tag on the \"Consent Initialization - All Pages\" trigger only. Remove googleConsentMode from the Assent config: this tag sends the Consent Mode signals instead (see docs/gtm.md)."
  },
  {
    "type": "GROUP",
    "name": "defaultsGroup",
    "displayName": "Default consent state",
    "groupStyle": "ZIPPY_OPEN",
    "subParams": [
      {
        "type": "SIMPLE_TABLE",
        "name": "defaults",
        "displayName": "Defaults, before Assent answers",
        "help": "Leave empty to deny every type but security_storage everywhere. A row with empty regions replaces that worldwide default; rows with regions (ISO 3166-2, comma-separated, e.g. \"ES, US-AK\") apply there only, and the most specific region wins. Any value other than Granted counts as Denied.",
        "newRowButtonText": "Add a default",
        "simpleTableColumns": [
          {
            "defaultValue": "",
            "displayName": "Regions (empty = everywhere)",
            "name": "region",
            "type": "TEXT"
          },
          {
            "defaultValue": "denied",
            "displayName": "ad_storage",
            "name": "ad_storage",
            "type": "SELECT",
            "selectItems": [
              {
                "value": "denied",
                "displayValue": "Denied"
              },
              {
                "value": "granted",
                "displayValue": "Granted"
              }
            ]
          },
          {
            "defaultValue": "denied",
            "displayName": "ad_user_data",
            "name": "ad_user_data",
            "type": "SELECT",
            "selectItems": [
              {
                "value": "denied",
                "displayValue": "Denied"
              },
              {
                "value": "granted",
                "displayValue": "Granted"
              }
            ]
          },
          {
            "defaultValue": "denied",
            "displayName": "ad_personalization",
            "name": "ad_personalization",
            "type": "SELECT",
            "selectItems": [
              {
                "value": "denied",
                "displayValue": "Denied"
              },
              {
                "value": "granted",
                "displayValue": "Granted"
              }
            ]
          },
          {
            "defaultValue": "denied",
            "displayName": "analytics_storage",
            "name": "analytics_storage",
            "type": "SELECT",
            "selectItems": [
              {
                "value": "denied",
                "displayValue": "Denied"
              },
              {
                "value": "granted",
                "displayValue": "Granted"
              }
            ]
          },
          {
            "defaultValue": "denied",
            "displayName": "functionality_storage",
            "name": "functionality_storage",
            "type": "SELECT",
            "selectItems": [
              {
                "value": "denied",
                "displayValue": "Denied"
              },
              {
                "value": "granted",
                "displayValue": "Granted"
              }
            ]
          },
          {
            "defaultValue": "denied",
            "displayName": "personalization_storage",
            "name": "personalization_storage",
            "type": "SELECT",
            "selectItems": [
              {
                "value": "denied",
                "displayValue": "Denied"
              },
              {
                "value": "granted",
                "displayValue": "Granted"
              }
            ]
          },
          {
            "defaultValue": "granted",
            "displayName": "security_storage",
            "name": "security_storage",
            "type": "SELECT",
            "selectItems": [
              {
                "value": "denied",
                "displayValue": "Denied"
              },
              {
                "value": "granted",
                "displayValue": "Granted"
              }
            ]
          }
        ]
      },
      {
        "type": "TEXT",
        "name": "waitForUpdate",
        "displayName": "Wait for update",
        "simpleValueType": true,
        "valueUnit": "ms",
        "defaultValue": 500,
        "help": "How long Google tags wait for the visitor's answer before they fire with the defaults. 0 = do not wait.",
        "valueValidators": [
          {
            "type": "NON_NEGATIVE_NUMBER"
          }
        ]
      }
    ]
  },
  {
    "type": "GROUP",
    "name": "mappingGroup",
    "displayName": "Assent purposes behind each consent type",
    "groupStyle": "ZIPPY_OPEN",
    "help": "Copy googleConsentMode.purposes from your Assent config, read per type: the ids of the purposes a type stands for, comma-separated. A type is granted only when all of its purposes are allowed. A type left empty keeps its default.",
    "subParams": [
      {
        "type": "TEXT",
        "name": "purposes_ad_storage",
        "displayName": "ad_storage",
        "simpleValueType": true,
        "defaultValue": "marketing"
      },
      {
        "type": "TEXT",
        "name": "purposes_ad_user_data",
        "displayName": "ad_user_data",
        "simpleValueType": true,
        "defaultValue": "marketing"
      },
      {
        "type": "TEXT",
        "name": "purposes_ad_personalization",
        "displayName": "ad_personalization",
        "simpleValueType": true,
        "defaultValue": "marketing"
      },
      {
        "type": "TEXT",
        "name": "purposes_analytics_storage",
        "displayName": "analytics_storage",
        "simpleValueType": true,
        "defaultValue": "analytics"
      },
      {
        "type": "TEXT",
        "name": "purposes_functionality_storage",
        "displayName": "functionality_storage",
        "simpleValueType": true,
        "defaultValue": ""
      },
      {
        "type": "TEXT",
        "name": "purposes_personalization_storage",
        "displayName": "personalization_storage",
        "simpleValueType": true,
        "defaultValue": ""
      },
      {
        "type": "TEXT",
        "name": "purposes_security_storage",
        "displayName": "security_storage",
        "simpleValueType": true,
        "defaultValue": ""
      }
    ]
  },
  {
    "type": "GROUP",
    "name": "optionsGroup",
    "displayName": "Other settings",
    "groupStyle": "ZIPPY_CLOSED",
    "subParams": [
      {
        "type": "CHECKBOX",
        "name": "adsDataRedaction",
        "checkboxText": "Redact ads data while ad_storage is denied (ads_data_redaction)",
        "simpleValueType": true,
        "defaultValue": false
      },
      {
        "type": "CHECKBOX",
        "name": "urlPassthrough",
        "checkboxText": "Pass ad click information through URLs (url_passthrough)",
        "simpleValueType": true,
        "defaultValue": false
      }
    ]
  }
]


___SANDBOXED_JS_FOR_WEB_TEMPLATE___

// Assent -> Google Consent Mode v2 from inside GTM (docs/gtm.md). Fire on Consent Initialization - All Pages.
const callInWindow = require('callInWindow');
const copyFromWindow = require('copyFromWindow');
const createQueue = require('createQueue');
const getType = require('getType');
const gtagSet = require('gtagSet');
const logToConsole = require('logToConsole');
const makeInteger = require('makeInteger');
const setDefaultConsentState = require('setDefaultConsentState');
const templateStorage = require('templateStorage');
const updateConsentState = require('updateConsentState');

const TYPES = [
  'ad_storage',
  'ad_user_data',
  'ad_personalization',
  'analytics_storage',
  'functionality_storage',
  'personalization_storage',
  'security_storage'
];

// 'ads, profile' or 'ads profile' -> ['ads', 'profile']
const words = (text) => {
  const out = [];
  if (getType(text) !== 'string') return out;
  text.split(',').join(' ').split(' ').forEach((word) => {
    const trimmed = word.trim();
    if (trimmed) out.push(trimmed);
  });
  return out;
};

// Anything but an explicit 'granted' (a typo, a variable that failed) counts as denied.
const valueOf = (cell) => (cell === 'granted' ? 'granted' : 'denied');

const setDefaults = () => {
  const wait = makeInteger(data.waitForUpdate);
  const rows = getType(data.defaults) === 'array' ? data.defaults : [];
  const regional = [];
  let everywhere = null;
  rows.forEach((row) => {
    if (getType(row) !== 'object') return;
    const command = {};
    TYPES.forEach((type) => {
      command[type] = valueOf(row[type]);
    });
    const regions = words(row.region).map((region) => region.toUpperCase());
    if (regions.length) {
      command.region = regions;
      regional.push(command);
    } else if (!everywhere) {
      everywhere = command;
    }
  });
  // Always one default for everywhere, with all seven types: GTM counts a type without state as granted.
  if (!everywhere) {
    everywhere = {};
    TYPES.forEach((type) => {
      everywhere[type] = type === 'security_storage' ? 'granted' : 'denied';
    });
  }
  [everywhere].concat(regional).forEach((command) => {
    if (wait > 0) command.wait_for_update = wait;
    setDefaultConsentState(command);
  });
};

// For each type, the Assent purposes behind it: the config's googleConsentMode.purposes, read per type.
const mapping = {};
TYPES.forEach((type) => {
  const purposes = words(data['purposes_' + type]);
  if (purposes.length) mapping[type] = purposes;
});

// The loader's rule: a type is granted only when every purpose mapped to it is allowed. Unmapped types
// are left out of the update, so they keep the default of the visitor's region.
const signal = (always) => {
  const state = callInWindow('assent.getState');
  if (getType(state) !== 'object' || getType(state.purposes) !== 'object') {
    logToConsole('Assent Consent Mode: assent.getState() gave no state; consent stays at the defaults');
    return;
  }
  // No stored decision yet: the banner answers, and wait_for_update holds the Google tags meanwhile.
  if (!always && !state.updatedAt) return;
  const update = {};
  let any = false;
  TYPES.forEach((type) => {
    const purposes = mapping[type];
    if (!purposes) return;
    update[type] = purposes.every((id) => state.purposes[id] === true) ? 'granted' : 'denied';
    any = true;
  });
  if (any) updateConsentState(update);
};

// 'ready' runs at once when Assent is ready already, so a returning visitor's update comes before any
// other tag; it reads the current state, in case the visitor answered before GTM loaded.
const listen = () => {
  callInWindow('assent.on', 'ready', () => signal(false));
  callInWindow('assent.on', 'change', () => signal(true));
};

if (templateStorage.getItem('started')) {
  // Fired twice on one page: the first run did everything.
  data.gtmOnSuccess();
} else {
  templateStorage.setItem('started', true);
  setDefaults();
  if (data.adsDataRedaction === true) gtagSet('ads_data_redaction', true);
  if (data.urlPassthrough === true) gtagSet('url_passthrough', true);
  if (getType(copyFromWindow('assent.on')) === 'function') {
    listen();
  } else {
    // Assent is placed after GTM, or not on this page: its loader runs queued calls once it starts.
    logToConsole('Assent Consent Mode: window.assent not found yet; waiting in assentQueue');
    createQueue('assentQueue')(listen);
  }
  data.gtmOnSuccess();
}


___WEB_PERMISSIONS___

[
  {
    "instance": {
      "key": {
        "publicId": "access_consent",
        "versionId": "1"
      },
      "param": [
        {
          "key": "consentTypes",
          "value": {
            "type": 2,
            "listItem": [
              {
                "type": 3,
                "mapKey": [
                  {
                    "type": 1,
                    "string": "consentType"
                  },
                  {
                    "type": 1,
                    "string": "read"
                  },
                  {
                    "type": 1,
                    "string": "write"
                  }
                ],
                "mapValue": [
                  {
                    "type": 1,
                    "string": "ad_storage"
                  },
                  {
                    "type": 8,
                    "boolean": true
                  },
                  {
                    "type": 8,
                    "boolean": true
                  }
                ]
              },
              {
                "type": 3,
                "mapKey": [
                  {
                    "type": 1,
                    "string": "consentType"
                  },
                  {
                    "type": 1,
                    "string": "read"
                  },
                  {
                    "type": 1,
                    "string": "write"
                  }
                ],
                "mapValue": [
                  {
                    "type": 1,
                    "string": "ad_user_data"
                  },
                  {
                    "type": 8,
                    "boolean": true
                  },
                  {
                    "type": 8,
                    "boolean": true
                  }
                ]
              },
              {
                "type": 3,
                "mapKey": [
                  {
                    "type": 1,
                    "string": "consentType"
                  },
                  {
                    "type": 1,
                    "string": "read"
                  },
                  {
                    "type": 1,
                    "string": "write"
                  }
                ],
                "mapValue": [
                  {
                    "type": 1,
                    "string": "ad_personalization"
                  },
                  {
                    "type": 8,
                    "boolean": true
                  },
                  {
                    "type": 8,
                    "boolean": true
                  }
                ]
              },
              {
                "type": 3,
                "mapKey": [
                  {
                    "type": 1,
                    "string": "consentType"
                  },
                  {
                    "type": 1,
                    "string": "read"
                  },
                  {
                    "type": 1,
                    "string": "write"
                  }
                ],
                "mapValue": [
                  {
                    "type": 1,
                    "string": "analytics_storage"
                  },
                  {
                    "type": 8,
                    "boolean": true
                  },
                  {
                    "type": 8,
                    "boolean": true
                  }
                ]
              },
              {
                "type": 3,
                "mapKey": [
                  {
                    "type": 1,
                    "string": "consentType"
                  },
                  {
                    "type": 1,
                    "string": "read"
                  },
                  {
                    "type": 1,
                    "string": "write"
                  }
                ],
                "mapValue": [
                  {
                    "type": 1,
                    "string": "functionality_storage"
                  },
                  {
                    "type": 8,
                    "boolean": true
                  },
                  {
                    "type": 8,
                    "boolean": true
                  }
                ]
              },
              {
                "type": 3,
                "mapKey": [
                  {
                    "type": 1,
                    "string": "consentType"
                  },
                  {
                    "type": 1,
                    "string": "read"
                  },
                  {
                    "type": 1,
                    "string": "write"
                  }
                ],
                "mapValue": [
                  {
                    "type": 1,
                    "string": "personalization_storage"
                  },
                  {
                    "type": 8,
                    "boolean": true
                  },
                  {
                    "type": 8,
                    "boolean": true
                  }
                ]
              },
              {
                "type": 3,
                "mapKey": [
                  {
                    "type": 1,
                    "string": "consentType"
                  },
                  {
                    "type": 1,
                    "string": "read"
                  },
                  {
                    "type": 1,
                    "string": "write"
                  }
                ],
                "mapValue": [
                  {
                    "type": 1,
                    "string": "security_storage"
                  },
                  {
                    "type": 8,
                    "boolean": true
                  },
                  {
                    "type": 8,
                    "boolean": true
                  }
                ]
              }
            ]
          }
        }
      ]
    },
    "clientAnnotations": {
      "isEditedByUser": true
    },
    "isRequired": true
  },
  {
    "instance": {
      "key": {
        "publicId": "access_globals",
        "versionId": "1"
      },
      "param": [
        {
          "key": "keys",
          "value": {
            "type": 2,
            "listItem": [
              {
                "type": 3,
                "mapKey": [
                  {
                    "type": 1,
                    "string": "key"
                  },
                  {
                    "type": 1,
                    "string": "read"
                  },
                  {
                    "type": 1,
                    "string": "write"
                  },
                  {
                    "type": 1,
                    "string": "execute"
                  }
                ],
                "mapValue": [
                  {
                    "type": 1,
                    "string": "assent.on"
                  },
                  {
                    "type": 8,
                    "boolean": true
                  },
                  {
                    "type": 8,
                    "boolean": false
                  },
                  {
                    "type": 8,
                    "boolean": true
                  }
                ]
              },
              {
                "type": 3,
                "mapKey": [
                  {
                    "type": 1,
                    "string": "key"
                  },
                  {
                    "type": 1,
                    "string": "read"
                  },
                  {
                    "type": 1,
                    "string": "write"
                  },
                  {
                    "type": 1,
                    "string": "execute"
                  }
                ],
                "mapValue": [
                  {
                    "type": 1,
                    "string": "assent.getState"
                  },
                  {
                    "type": 8,
                    "boolean": false
                  },
                  {
                    "type": 8,
                    "boolean": false
                  },
                  {
                    "type": 8,
                    "boolean": true
                  }
                ]
              },
              {
                "type": 3,
                "mapKey": [
                  {
                    "type": 1,
                    "string": "key"
                  },
                  {
                    "type": 1,
                    "string": "read"
                  },
                  {
                    "type": 1,
                    "string": "write"
                  },
                  {
                    "type": 1,
                    "string": "execute"
                  }
                ],
                "mapValue": [
                  {
                    "type": 1,
                    "string": "assentQueue"
                  },
                  {
                    "type": 8,
                    "boolean": true
                  },
                  {
                    "type": 8,
                    "boolean": true
                  },
                  {
                    "type": 8,
                    "boolean": false
                  }
                ]
              }
            ]
          }
        }
      ]
    },
    "clientAnnotations": {
      "isEditedByUser": true
    },
    "isRequired": true
  },
  {
    "instance": {
      "key": {
        "publicId": "write_data_layer",
        "versionId": "1"
      },
      "param": [
        {
          "key": "keyPatterns",
          "value": {
            "type": 2,
            "listItem": [
              {
                "type": 1,
                "string": "ads_data_redaction"
              },
              {
                "type": 1,
                "string": "url_passthrough"
              }
            ]
          }
        }
      ]
    },
    "clientAnnotations": {
      "isEditedByUser": true
    },
    "isRequired": true
  },
  {
    "instance": {
      "key": {
        "publicId": "logging",
        "versionId": "1"
      },
      "param": [
        {
          "key": "environments",
          "value": {
            "type": 1,
            "string": "debug"
          }
        }
      ]
    },
    "clientAnnotations": {
      "isEditedByUser": true
    },
    "isRequired": true
  },
  {
    "instance": {
      "key": {
        "publicId": "access_template_storage",
        "versionId": "1"
      },
      "param": []
    },
    "clientAnnotations": {
      "isEditedByUser": true
    },
    "isRequired": true
  }
]


___TESTS___

setup: |-
  const templateStorage = require('templateStorage');
  templateStorage.clear();
scenarios:
- name: Without Assent every type but security_storage is denied, and the tag succeeds
  code: |-
    mock('copyFromWindow', undefined);
    mock('createQueue', (name) => (call) => 0);
    runCode({ defaults: [], waitForUpdate: '500', purposes_analytics_storage: 'analytics' });
    assertApi('setDefaultConsentState').wasCalledWith({
      ad_storage: 'denied',
      ad_user_data: 'denied',
      ad_personalization: 'denied',
      analytics_storage: 'denied',
      functionality_storage: 'denied',
      personalization_storage: 'denied',
      security_storage: 'granted',
      wait_for_update: 500
    });
    assertApi('updateConsentState').wasNotCalled();
    assertApi('gtagSet').wasNotCalled();
    assertApi('gtmOnSuccess').wasCalled();
- name: A returning visitor's choice follows the default at once
  code: |-
    mock('copyFromWindow', (path) => () => 0);
    mock('callInWindow', (path, event, handler) => {
      if (path === 'assent.on' && event === 'ready') handler();
      if (path === 'assent.getState') {
        return { decided: true, updatedAt: '2026-01-01T00:00:00.000Z', purposes: { analytics: true, marketing: false, profile: true } };
      }
      return undefined;
    });
    runCode({
      defaults: [],
      waitForUpdate: '500',
      purposes_analytics_storage: 'analytics',
      purposes_ad_storage: 'marketing',
      purposes_personalization_storage: 'analytics, profile'
    });
    assertApi('updateConsentState').wasCalledWith({
      ad_storage: 'denied',
      analytics_storage: 'granted',
      personalization_storage: 'granted'
    });
    assertApi('gtmOnSuccess').wasCalled();
- name: Ads data redaction and URL passthrough are set with gtagSet
  code: |-
    mock('copyFromWindow', undefined);
    mock('createQueue', (name) => (call) => 0);
    runCode({ defaults: [], waitForUpdate: '0', adsDataRedaction: true, urlPassthrough: true });
    assertApi('gtagSet').wasCalledWith('ads_data_redaction', true);
    assertApi('gtagSet').wasCalledWith('url_passthrough', true);
    assertApi('gtmOnSuccess').wasCalled();


___NOTES___

Part of Assent (integrations/assent-consent-mode.tpl). Installation and the assent_update trigger
recipe: docs/gtm.md. Tested by test/unit/gtm-template.test.ts.
