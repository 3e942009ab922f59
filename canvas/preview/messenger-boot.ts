// Boots the real Intercom Messenger on the preview page, so an admin can try the installed app in
// the real widget next to the local rendering.
import { Intercom } from "@intercom/messenger-js-sdk";

const appId = document.documentElement.dataset.intercomAppId;
if (appId) Intercom({ app_id: appId });
