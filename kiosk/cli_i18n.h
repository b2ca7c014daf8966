/*
 * cli_i18n.h - `kiosk i18n check | sheet | apply`: the translations and
 * their review by the community (assets/po/README.md tells the loop).
 */
#ifndef KIOSK_CLI_I18N_H
#define KIOSK_CLI_I18N_H

/* Runs the i18n command whose words follow "i18n" in argv; fonts_dir is
 * the kiosk's font folder.  Returns the exit status. */
int kcli_i18n(int argc, char **argv, const char *fonts_dir);

#endif
