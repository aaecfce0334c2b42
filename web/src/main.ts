import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router'
// Styles of the components used only from script (ElMessage, ElMessageBox); the template
// components get theirs from the auto-import resolver.
import 'element-plus/theme-chalk/base.css'
import 'element-plus/theme-chalk/el-message.css'
import 'element-plus/theme-chalk/el-message-box.css'
import './styles/global.css'

createApp(App).use(createPinia()).use(router).mount('#app')
